import { formatAbsolute, formatScalar, isPlainObject } from "../../shared/format";
import type { CaseHistoryRow } from "@/server/records/case-field-history";
import { CAUSE_LABEL, type Cause } from "../lib/causes";

/** One change of the case-wide history, as the server answers it (server/records/case-field-history.ts). */
export type HistoryRow = CaseHistoryRow;

/** A value in one CSV cell: scalars as shown on screen, structures as compact JSON. */
function cellValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v) || isPlainObject(v)) return JSON.stringify(v);
  return formatScalar(v);
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function cell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = ["When (UTC)", "Version", "Version status", "Ever current", "Field", "Path", "Before", "After", "Cause", "Source", "Source entity", "Source version", "Occurred at (source)", "Received at", "Who"];

/** The field history as CSV, one line per change, the columns of the table on screen. */
export function historyCsv(rows: readonly HistoryRow[]): string {
  const lines = [CSV_HEADER.join(",")];
  for (const r of rows) {
    lines.push(
      [
        formatAbsolute(r.createdAt),
        `v${r.version}`,
        r.status,
        r.becameCurrent ? "yes" : "no",
        r.label,
        r.path,
        cellValue(r.before),
        cellValue(r.after),
        CAUSE_LABEL[r.cause as Cause] ?? r.cause,
        r.source,
        r.entityId,
        String(r.entityVersion),
        r.occurredAt ? formatAbsolute(r.occurredAt) : "",
        r.receivedAt ? formatAbsolute(r.receivedAt) : "",
        r.who ?? "",
      ]
        .map(cell)
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
