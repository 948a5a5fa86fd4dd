import { z } from "zod";
import { AppError } from "./errors";

/**
 * The one validation every string passes at the edge before it can reach the database (docs/api.md:
 * no NUL, no lone surrogates, bounded length, a clear 400). PostgreSQL text and jsonb cannot hold
 * U+0000, and an unpaired UTF-16 surrogate cannot be encoded as UTF-8: either one reaching a
 * query fails it with a driver error, which used to surface as a 500.
 */
// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
export const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_MESSAGE = "must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates";

/** The longest string any input of the app accepts (bodies of notes and overrides are far below it). */
export const MAX_INPUT_STRING = 20_000;

export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** A bounded, storable string: use for every free-text input. */
export const safeText = (max: number) => z.string().max(max).refine(isStorableText, UNSTORABLE_MESSAGE);

/** An identifier (case id, event id, user id...): non-empty, bounded, storable. */
export const safeId = (max = 200) => z.string().min(1).max(max).refine(isStorableText, UNSTORABLE_MESSAGE);

/**
 * The largest number a 32-bit integer column (versions, counts, limits) holds. A bigger one
 * reaching a query fails it with a driver error ("numeric out of range"), which used to be a 500.
 */
export const MAX_DB_INT = 2_147_483_647;

/** A whole number from `min` to `max` (at most MAX_DB_INT): use for every numeric input. */
export const safeInt = (min: number, max = MAX_DB_INT) => z.number().int().min(min).max(Math.min(max, MAX_DB_INT));

/**
 * The earliest and latest moment any date input accepts (years 1900 to 9999). JavaScript dates
 * reach year -271821 and 275760; PostgreSQL cannot store the first, and neither reads the
 * six-digit year the second is written with, so either one used to fail a query with a 500.
 */
export const MIN_INPUT_DATE = new Date("1900-01-01T00:00:00.000Z");
export const MAX_INPUT_DATE = new Date("9999-12-31T23:59:59.999Z");
const DATE_RANGE_MESSAGE = "must be a date between the years 1900 and 9999";

/** A Date input (tRPC carries Dates through superjson), within MIN_INPUT_DATE..MAX_INPUT_DATE. */
export const safeDate = () => z.date().min(MIN_INPUT_DATE, DATE_RANGE_MESSAGE).max(MAX_INPUT_DATE, DATE_RANGE_MESSAGE);

/** A date given as text or a Date (coerced), within the same range; an unreadable one is a 400 too. */
export const safeCoercedDate = () => z.coerce.date({ message: "must be a date, e.g. 2026-11-27T14:05:00Z" }).min(MIN_INPUT_DATE, DATE_RANGE_MESSAGE).max(MAX_INPUT_DATE, DATE_RANGE_MESSAGE);

/** Whether a Date (parsed from a path, a query or a cursor) is within the range inputs accept. */
export function isStorableDate(d: Date): boolean {
  const t = d.getTime();
  return !Number.isNaN(t) && t >= MIN_INPUT_DATE.getTime() && t <= MAX_INPUT_DATE.getTime();
}

/**
 * The first string in an arbitrary input (keys included) that is unstorable or longer than
 * MAX_INPUT_STRING, as a JSON-pointer-like path and a problem; null when every string is fine.
 * Walks at most `budget` values, so a huge input cannot make it slow (sizes are capped upstream).
 */
export function findUnsafeString(value: unknown, path = "", seen = { n: 0 }): { path: string; message: string } | null {
  if (++seen.n > 100_000) return { path: path || "/", message: "input has too many values" };
  if (typeof value === "string") {
    if (!isStorableText(value)) return { path: path || "/", message: UNSTORABLE_MESSAGE };
    if (value.length > MAX_INPUT_STRING) return { path: path || "/", message: `is longer than ${MAX_INPUT_STRING} characters` };
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeString(value[i], `${path}/${i}`, seen);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const p = `${path}/${k.replace(UNSTORABLE_G, "\uFFFD")}`;
      if (!isStorableText(k)) return { path: p, message: `property name ${UNSTORABLE_MESSAGE}` };
      const found = findUnsafeString(v, p, seen);
      if (found) return found;
    }
  }
  return null;
}

const UNSTORABLE_G = new RegExp(UNSTORABLE.source, "g");

/** Throws the edge's 400 when `value` holds an unsafe string; `what` names the input ("input", "path segment"). */
export function assertSafeInput(value: unknown, what = "input"): void {
  const found = findUnsafeString(value);
  if (found) throw new AppError("BAD_REQUEST", `${what} ${found.path === "/" ? "" : `at ${found.path} `}${found.message}`.replace(/\s+/g, " "), [found]);
}
