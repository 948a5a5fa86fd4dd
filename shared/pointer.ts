/**
 * RFC 6901 JSON Pointer helpers for record paths (docs/api.md, "Lineage"): the server keys lineage and
 * delta entries with them and the UI reads them back. Plain TypeScript: no database, no secrets.
 */
export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => "/" + escapeToken(t)).join("");
}

export function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw new Error(`not a JSON pointer: ${p}`);
  return p
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Schema and policy field of a path: "/case/severity" → "case.severity", "/incidents/2/severity" → "incidents". */
export function fieldOf(p: string): string {
  const tokens = parsePointer(p);
  const out: string[] = [];
  for (const t of tokens) {
    if (/^\d+$/.test(t)) break;
    out.push(t);
  }
  return out.join(".");
}

export function getAt(doc: unknown, p: string): unknown {
  let cur: unknown = doc;
  for (const t of parsePointer(p)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

/** Canonical JSON: sorted keys, so equal records compare equal whatever the storage did to key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
