-- A widened overwrite policy re-evaluates the open review exceptions it affects, as a job.
ALTER TYPE "JobKind" ADD VALUE 'policy_change';
