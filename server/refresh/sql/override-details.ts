import type { Json } from "../types";
import { query, type JsonColumn } from "./statement";

export type OverrideDetailsParams = [overrideIds: string[]];

export interface OverrideDetailsRow {
  id: string;
  /** The overridden field's source value when the override was made (null for overrides older than that column). */
  sourceValue: JsonColumn<{ value?: Json }> | null;
  note: string;
  /** The specialist's name; null when the user is gone. */
  by: string | null;
}

/** What the case context leaves out of active overrides, read only when the case has some (server/refresh/active-overrides.ts). */
export const OVERRIDE_DETAILS_SQL = `SELECT o."id", o."sourceValue", o."note", u."name" AS "by" FROM "FieldOverride" o LEFT JOIN "User" u ON u."id" = o."userId" WHERE o."id" = ANY($1::text[])`;

/** Not a named statement: it ran unnamed before, and only refreshes of overridden cases run it. */
export const readOverrideDetails = query<OverrideDetailsParams, OverrideDetailsRow>(OVERRIDE_DETAILS_SQL, { named: false });
