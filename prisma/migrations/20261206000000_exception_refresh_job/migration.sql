-- A resolution's refresh, recorded in the resolution's own transaction: the request performs it at
-- once, and the job runner performs (or retries) it when that refresh fails or the process stops.
ALTER TYPE "JobKind" ADD VALUE 'exception_refresh';
