/** Formatting shared by every screen and by the server's summaries and rule messages: one way to write a time, a path, a value. Plain TypeScript. */
import { parsePointer, pointer } from "@/shared/pointer";

const pad = (n: number) => String(n).padStart(2, "0");

export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** Absolute time in UTC, the same on server and browser: "2026-11-27 02:10:05 UTC". */
export function formatAbsolute(value: Date | string | number): string {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export function formatRelative(value: Date | string | number, now: number): string {
  const d = toDate(value);
  const diff = Math.round((now - d.getTime()) / 1000);
  const future = diff < 0;
  const s = Math.abs(diff);
  let text: string;
  // Clocks differ a little between server and browser: a moment ahead is still "just now".
  if (s < 10 || (future && s < 60)) return "just now";
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`.replace(/ 0 min$/, "");
  else if (s < 86_400 * 60) text = `${Math.floor(s / 86_400)} d`;
  else return formatAbsolute(d).slice(0, 10);
  return future ? `in ${text}` : `${text} ago`;
}

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return "<1 min";
  if (minutes < 60) return `${Math.floor(minutes)} min`;
  const h = Math.floor(minutes / 60);
  const m = Math.floor(minutes % 60);
  if (h < 48) return m ? `${h} h ${m} min` : `${h} h`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const LABELS: Record<string, string> = {
  id: "ID",
  ip: "IP address",
  userAgent: "Browser",
  accountId: "Account",
  customerName: "Customer",
  productArea: "Product area (as written)",
  productName: "Product name",
  declaredTier: "Declared tier",
  tierName: "Tier name",
  contractId: "Contract",
  validUntil: "Valid until",
  slaMinutes: "SLA (minutes)",
  correctionReason: "Correction reason",
  productVersion: "Product version",
  capturedAt: "Captured at",
  bundleId: "Bundle",
  sha256: "SHA-256",
  sizeBytes: "Size",
  uri: "URI",
  affectedAccounts: "Affected accounts",
  caseIds: "Case IDs",
  approvedLogs: "Approved logs",
  os: "OS",
};

/**
 * A label map's own entry for `key`, never one inherited from Object.prototype: a path such as
 * "/case/constructor" or "/case/toString" is a field name like any other, not a lookup of the
 * map's prototype ("function Object() { [native code] }").
 */
function ownLabel(map: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** A record section's label ("case" → "Case"), or the key as a field label when it is not a section. */
export function sectionLabel(key: string): string {
  return ownLabel(SECTION_LABEL, key) ?? fieldLabel(key);
}

/** "customerName" → "Customer", "productVersion" → "Product version". */
export function fieldLabel(key: string): string {
  const label = ownLabel(LABELS, key);
  if (label) return label;
  // A list position with no name of its own: "Item 2" (never "#2", which reads as a path).
  if (/^\d+$/.test(key)) return `Item ${Number(key) + 1}`;
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").trim().toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export const SECTION_LABEL: Record<string, string> = {
  case: "Case",
  entitlement: "Entitlement",
  incidents: "Incidents",
  environment: "Environment",
  reproduction: "Reproduction",
  artifacts: "Artifacts",
  approvedLogs: "Approved logs",
  notes: "Notes",
};

/** The tokens of a record path (a JSON Pointer, shared/pointer.ts); anything else has none. */
export function parsePath(path: string): string[] {
  return path.startsWith("/") ? parsePointer(path) : [];
}

/** The record path of a list of tokens (shared/pointer.ts). */
export function joinPath(tokens: (string | number)[]): string {
  return pointer(...tokens);
}

/** What a list item is called: an incident by its id, a bundle by its id, a log by its name. */
export function itemName(item: unknown): string | null {
  if (!isPlainObject(item)) return null;
  if (typeof item.author === "string" && "body" in item) return `note by ${item.author}`;
  for (const k of ["id", "bundleId", "name"]) if (typeof item[k] === "string" && item[k]) return item[k] as string;
  return null;
}

/**
 * "/incidents/0/severity" → "Incidents › INC-7001 › Severity": list positions are named after the
 * item found at that position in the first of `docs` that has one.
 */
export function describePath(path: string, ...docs: unknown[]): string {
  const tokens = parsePath(path);
  return tokens
    .map((t, i) => {
      if (i === 0) return sectionLabel(t);
      if (!/^\d+$/.test(t)) return fieldLabel(t);
      const prefix = joinPath(tokens.slice(0, i + 1));
      for (const d of docs) {
        const name = itemName(getAt(d, prefix));
        if (name) return name;
      }
      return `Item ${Number(t) + 1}`;
    })
    .join(" › ");
}

/**
 * An evidence item's name for people. Review-required and schema evidence is labelled by the field's
 * path ("/notes/8"), which stays in the API: here it reads as the tables do ("Notes › note by Elena
 * Petrova"), a list item named by its key from its own value.
 */
export function evidenceLabel(e: { label: string; value: unknown }): string {
  if (!e.label.startsWith("/")) return e.label;
  const tokens = parsePath(e.label);
  const own: Record<string, unknown> = {};
  let cur = own;
  tokens.slice(0, -1).forEach((t) => {
    cur = cur[t] = {} as Record<string, unknown>;
  });
  if (tokens.length) cur[tokens.at(-1)!] = e.value;
  return describePath(e.label, own);
}

/** What one item of each list of the record is called in a sentence. */
const ITEM_NOUN: Record<string, string> = {
  incidents: "incident",
  artifacts: "diagnostic bundle",
  approvedLogs: "approved log",
  notes: "ticket note",
  logs: "log",
  components: "component",
  affectedAccounts: "affected account",
  caseIds: "linked case",
};

/** A label inside a sentence: lower case, except acronyms ("SHA-256", "URI", "OS"). */
const inSentence = (label: string) => (/^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label);

/**
 * A record path as the words of a sentence, list items named by their key: "/case/severity" →
 * "case severity", "/incidents/0/severity" → "incident INC-5102 severity", "/artifacts/1" →
 * "diagnostic bundle BND-1050-02", "/artifacts/1/logs/0/sha256" → "diagnostic bundle BND-1 log
 * app.log SHA-256". Items are named from the first of `docs` that has one at that position.
 * Summaries and messages for people use this; paths stay in the API.
 */
export function pathPhrase(path: string, ...docs: unknown[]): string {
  const tokens = parsePath(path);
  const words: string[] = [];
  tokens.forEach((t, i) => {
    if (i > 0 && /^\d+$/.test(t)) {
      const list = tokens[i - 1]!;
      const noun = ownLabel(ITEM_NOUN, list) ?? "item";
      const prefix = joinPath(tokens.slice(0, i + 1));
      let name: string | null = null;
      for (const d of docs) {
        const item = getAt(d, prefix);
        name = list === "notes" && isPlainObject(item) && typeof item.author === "string" ? `by ${item.author}` : itemName(item);
        if (!name && (typeof item === "string" || typeof item === "number")) name = String(item);
        if (name) break;
      }
      words.pop();
      words.push(`${noun} ${name ?? `number ${Number(t) + 1}`}`);
      return;
    }
    words.push(inSentence(i === 0 ? (sectionLabel(t)) : fieldLabel(t)));
  });
  return words.join(" ");
}

/** A schema or policy field ("case.customerImpact") in a sentence: "case customer impact". */
export function fieldPhrase(field: string): string {
  return pathPhrase(fieldToPath(field));
}

/** Capital first letter, for a phrase that starts a sentence. */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "/incidents/0/severity" → "Incidents › Item 1 › Severity". */
export function pathLabel(path: string): string {
  return parsePath(path)
    .map((t, i) => (i === 0 ? (sectionLabel(t)) : fieldLabel(t)))
    .join(" › ");
}

/** "case.severity" (schema/policy field) → "/case/severity". */
export function fieldToPath(field: string): string {
  return "/" + field.split(".").join("/");
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A scalar as a reviewer reads it; objects and lists are rendered by the caller. */
export function formatScalar(value: unknown, key?: string): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string" && ISO_DATETIME.test(value)) return formatAbsolute(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number" && key === "sizeBytes") return `${formatBytes(value)} (${value.toLocaleString("en-US")} bytes)`;
  if (typeof value === "number") return value.toLocaleString("en-US");
  return String(value);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every leaf path of a record (scalars, and empty lists/objects as leaves). */
export function leafPaths(value: unknown, base = ""): string[] {
  if (Array.isArray(value)) {
    if (!value.length) return [base];
    return value.flatMap((v, i) => leafPaths(v, `${base}/${i}`));
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (!keys.length) return [base];
    return keys.flatMap((k) => leafPaths(value[k], joinPath([...parsePath(base), k])));
  }
  return [base];
}

export function getAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const t of parsePath(path)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

export function titleCase(s: string): string {
  const t = s.replace(/_/g, " ");
  return t.charAt(0).toUpperCase() + t.slice(1);
}
