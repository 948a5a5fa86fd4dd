import type { RecordListInput } from "@/server/records/list-records";
import { CAUSE_ORDER, type Cause } from "../lib/causes";
import { cursorFromParams } from "../ui/cursor-params";

/**
 * The records list's URL: /records?q=acme&sev=S1,S2&exc=yes&cause=diagnostics&sort=severity&dir=asc,
 * plus after=<cursor>&page=3 (or before=) when paged; the page number is for display only.
 */
export type RecordListQuery = Partial<Omit<RecordListInput, "pageSize">>;

interface ParamGetter {
  get(name: string): string | null;
}

const SEVERITIES = ["S1", "S2", "S3", "S4"] as const;
const STATUSES = ["open", "pending", "solved", "closed"] as const;
const SORTS = ["refreshed", "severity", "case", "customer", "exceptions"] as const;

function list<T extends string>(raw: string | null, allowed?: readonly T[]): T[] | undefined {
  if (!raw) return undefined;
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean) as T[];
  const ok = allowed ? items.filter((i) => allowed.includes(i)) : items.filter((i) => i.length <= 100);
  return ok.length ? [...new Set(ok)].slice(0, 50) : undefined;
}

/** Same function on server and browser, so the prefetched query and the client query share a key. */
export function recordQueryFromParams(sp: ParamGetter): RecordListQuery {
  const out: RecordListQuery = {};
  const q = sp.get("q")?.trim();
  if (q) out.q = q.slice(0, 200);
  const severity = list(sp.get("sev"), SEVERITIES);
  if (severity) out.severity = severity;
  const tier = list(sp.get("tier"));
  if (tier) out.tier = tier.slice(0, 20);
  const product = list(sp.get("product"));
  if (product) out.product = product;
  const status = list(sp.get("status"), STATUSES);
  if (status) out.status = status;
  const exc = sp.get("exc");
  if (exc === "yes" || exc === "no") out.hasException = exc === "yes";
  const cause = sp.get("cause");
  if (cause && (CAUSE_ORDER as string[]).includes(cause)) out.cause = cause as Cause;
  const sort = sp.get("sort");
  if (sort && (SORTS as readonly string[]).includes(sort)) out.sort = sort as (typeof SORTS)[number];
  const dir = sp.get("dir");
  if (dir === "asc" || dir === "desc") out.dir = dir;
  Object.assign(out, cursorFromParams(sp));
  return out;
}

export function hasFilters(q: RecordListQuery): boolean {
  return !!(q.q || q.severity || q.tier || q.product || q.status || q.hasException !== undefined || q.cause);
}

export function toSearchParams(sp: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) {
    if (typeof v === "string") out.set(k, v);
    else if (Array.isArray(v) && v[0] !== undefined) out.set(k, v[0]);
  }
  return out;
}
