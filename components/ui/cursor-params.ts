// Not a client module: server pages read the cursor from their search params too (a function
// exported from a "use client" file cannot be called on the server).

export interface ParamGetter {
  get(name: string): string | null;
}

const CURSOR = /^[A-Za-z0-9_-]{1,2000}$/;

/** The cursor in the URL (after or before) and the page number shown with it. */
export function cursorFromParams(sp: ParamGetter): { after?: string; before?: string } {
  const after = sp.get("after");
  if (after && CURSOR.test(after)) return { after };
  const before = sp.get("before");
  if (before && CURSOR.test(before)) return { before };
  return {};
}
