/** Bodies nest at most this deep (PostgreSQL's jsonb and every later walk over `data` stay shallow). */
export const MAX_DEPTH = 32;

/**
 * Whether the body nests deeper than MAX_DEPTH (the depth of its deepest value, the root being 0).
 * Counting brackets outside strings in the raw text is several times cheaper than walking the
 * parsed value. The value's depth is the bracket depth, or one less when the innermost containers
 * are empty, so only a text exactly MAX_DEPTH + 1 brackets deep needs the walk. (A value that a
 * duplicate key discarded still counts: the limit is on the text as sent.)
 */
export function tooDeep(raw: string, body: unknown): boolean {
  const brackets = bracketDepth(raw);
  if (brackets <= MAX_DEPTH) return false;
  if (brackets > MAX_DEPTH + 1) return true;
  return nestingDepth(body) > MAX_DEPTH;
}

/** Deepest nesting of [ and { outside JSON strings (the text is valid JSON by now). */
export function bracketDepth(raw: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Iterative, so a hostile 100,000-level body cannot exhaust the stack. */
export function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    if (v && typeof v === "object") for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}
