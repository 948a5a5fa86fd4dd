import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { hasRole } from "../auth/roles";
import { getSessionUser, type Role, type SessionUser } from "../auth/session";
import type { Actor } from "../lib/audit";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../lib/db-errors";
import { AppError, DATABASE_INPUT_MESSAGE, ERROR_CODES, INTERNAL_MESSAGE, isDatabaseInputError } from "../lib/errors";
import { logInternal } from "../lib/http";
import { findUnsafeString } from "../lib/safe-text";
import { getRuntime, type Runtime } from "../runtime";

export interface TRPCContext {
  rt: Runtime;
  user: SessionUser | null;
  headers: Headers;
}

export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  const rt = await getRuntime();
  try {
    return { rt, user: await getSessionUser(rt.db, opts.headers), headers: opts.headers };
  } catch (err) {
    throw databaseUnavailable(err) ?? err;
  }
}

/** The database being away is told as such (503, SERVICE_UNAVAILABLE), so screens say so instead of failing generically. */
function databaseUnavailable(err: unknown): TRPCError | null {
  return isDatabaseUnavailable(err) ? new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE, cause: err }) : null;
}

/**
 * An unexpected failure (anything not a deliberate TRPCError/AppError, and AppError("INTERNAL")) is
 * logged once, here, with a correlation id the answer carries too; the client sees only
 * INTERNAL_MESSAGE and that id, never the driver's text or a stack.
 */
function correlate(error: TRPCError & { correlationId?: string }, path: string | undefined): string {
  if (!error.correlationId) {
    error.correlationId = logInternal(error.cause ?? error, "unhandled error in tRPC procedure", "error", { path });
  }
  return error.correlationId;
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error, path }) {
    const cause = error.cause;
    const { stack: _stack, ...data } = shape.data as typeof shape.data & { stack?: string };
    if (error.code === "INTERNAL_SERVER_ERROR") {
      return { ...shape, message: INTERNAL_MESSAGE, data: { ...data, zodIssues: null, correlationId: correlate(error, path) } };
    }
    return {
      ...shape,
      data: {
        ...data,
        zodIssues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
      },
    };
  },
});

/** Domain AppErrors become tRPC errors with the same meaning; nothing else leaks. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_CODES[cause.code].trpc, message: cause.message, cause });
  }
  if (!result.ok && isDatabaseInputError(result.error.cause ?? result.error)) {
    logInternal(result.error.cause ?? result.error, "database refused a value of the request", "warn");
    throw new TRPCError({ code: "BAD_REQUEST", message: DATABASE_INPUT_MESSAGE, cause: result.error.cause });
  }
  if (!result.ok) {
    const unavailable = databaseUnavailable(result.error.cause ?? result.error);
    if (unavailable) throw unavailable;
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The edge's one string check for every procedure, before its input is parsed: no NUL, no lone
 * surrogate, nothing over MAX_INPUT_STRING, anywhere in the input (keys included). Each input's
 * zod schema then applies its own, tighter bounds.
 */
const screenInput = t.middleware(async ({ getRawInput, next }) => {
  const found = findUnsafeString(await getRawInput());
  if (found) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `input ${found.path === "/" ? "" : `at ${found.path} `}${found.message}` });
  }
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(screenInput);


function requireRole(min: Role) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
    if (!hasRole(ctx.user.role, min)) throw new TRPCError({ code: "FORBIDDEN", message: `this needs the ${min} role` });
    const actor: Actor = { id: ctx.user.id, label: ctx.user.name, role: ctx.user.role };
    return next({ ctx: { ...ctx, user: ctx.user, actor } });
  });
}

/** Any signed-in user (duty managers read everything). */
export const readerProcedure = publicProcedure.use(requireRole("duty_manager"));
export const specialistProcedure = publicProcedure.use(requireRole("specialist"));
export const adminProcedure = publicProcedure.use(requireRole("admin"));
