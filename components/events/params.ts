import type { EventListInput } from "@/server/events/list-events";
import type { RefusalListInput } from "@/server/events/list-refusals";
import { cursorFromParams } from "../ui/cursor-params";

interface ParamGetter {
  get(name: string): string | null;
}

export type EventQuery = Partial<Omit<EventListInput, "pageSize">>;
export type RefusalQuery = Partial<Omit<RefusalListInput, "pageSize">>;

const STATUSES = ["received", "applied", "held", "no_change", "stale", "waiting", "quarantined", "failed"] as const;

/** "2026-11-27T02:10" typed in the filter is read as UTC, like every time on screen. */
export function parseUtc(raw: string | null): Date | undefined {
  if (!raw) return undefined;
  const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(raw) ? raw : `${raw}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** /events?source=ticketing&status=held,failed&case=CASE-1&q=msg_1&from=2026-11-27T00:00&to=…, plus after=<cursor>&page=2 when paged */
export function eventQueryFromParams(sp: ParamGetter): EventQuery {
  const out: EventQuery = {};
  const source = sp.get("source")?.trim();
  if (source) out.source = source.slice(0, 100);
  const status = (sp.get("status") ?? "").split(",").filter((s): s is (typeof STATUSES)[number] => (STATUSES as readonly string[]).includes(s));
  if (status.length) out.status = [...new Set(status)];
  const caseId = sp.get("case")?.trim();
  if (caseId) out.caseId = caseId.slice(0, 200);
  const q = sp.get("q")?.trim();
  if (q) out.q = q.slice(0, 200);
  const from = parseUtc(sp.get("from"));
  if (from) out.from = from;
  const to = parseUtc(sp.get("to"));
  if (to) out.to = to;
  Object.assign(out, cursorFromParams(sp));
  return out;
}

export function refusalQueryFromParams(sp: ParamGetter): RefusalQuery {
  const out: RefusalQuery = {};
  const source = sp.get("source")?.trim();
  if (source) out.source = source.slice(0, 100);
  const from = parseUtc(sp.get("from"));
  if (from) out.from = from;
  const to = parseUtc(sp.get("to"));
  if (to) out.to = to;
  Object.assign(out, cursorFromParams(sp));
  return out;
}

export const EVENT_STATUS_LIST = STATUSES;
