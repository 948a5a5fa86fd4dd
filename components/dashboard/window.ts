export const WINDOWS = [1, 24, 168] as const;
export type WindowHours = (typeof WINDOWS)[number];

/** /dashboard?window=1|24|168 (hours); 24 by default. */
export function windowFromParam(raw: string | null): WindowHours {
  const n = Number(raw);
  return (WINDOWS as readonly number[]).includes(n) ? (n as WindowHours) : 24;
}
