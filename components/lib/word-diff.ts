/**
 * Word-level diff of two strings, as a good split diff shows long values: the text is cut into
 * words and separators (spaces, "/", ".", ":", "-", "_", "=", "&", "?"), and the longest common
 * subsequence of those tokens stays plain; the rest is marked as removed (before) or added (after).
 */
export type DiffPart = { text: string; changed: boolean };

const TOKEN = /[\s/.:_\-=&?,;]+|[^\s/.:_\-=&?,;]+/g;
/** Beyond this many tokens a side, the LCS table grows too big: the whole value is marked. */
const MAX_TOKENS = 1500;

export function wordDiff(before: string, after: string): { before: DiffPart[]; after: DiffPart[] } {
  const a = before.match(TOKEN) ?? [];
  const b = after.match(TOKEN) ?? [];
  if (a.length > MAX_TOKENS || b.length > MAX_TOKENS) {
    return { before: [{ text: before, changed: before !== after }], after: [{ text: after, changed: before !== after }] };
  }
  // lcs[i][j] = LCS length of a[i..] and b[j..].
  const lcs: Uint16Array[] = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const outA: DiffPart[] = [];
  const outB: DiffPart[] = [];
  const push = (out: DiffPart[], text: string, changed: boolean) => {
    const last = out.at(-1);
    if (last && last.changed === changed) last.text += text;
    else out.push({ text, changed });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push(outA, a[i]!, false);
      push(outB, b[j]!, false);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) push(outA, a[i++]!, true);
    else push(outB, b[j++]!, true);
  }
  while (i < a.length) push(outA, a[i++]!, true);
  while (j < b.length) push(outB, b[j++]!, true);
  return { before: outA, after: outB };
}
