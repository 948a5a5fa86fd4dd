import { isIP } from "node:net";

/**
 * The key per-address budgets count under (refusals of unsigned webhooks, sign-in failures). An
 * IPv4 address is itself; an IPv6 address is its /64 network, written `2001:db8:1:2::/64`: one
 * subscriber is routinely given a whole /64 (2^64 addresses), so keying on the full address
 * would give whoever holds one an unlimited number of budgets. IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
 * counts as the IPv4 address. Anything else (no address, a name) is kept as it is, bounded.
 */
export function addressBucket(addr: string | null | undefined): string {
  const a = String(addr ?? "").trim().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return mapped[1]!;
  if (isIP(a) !== 6) return a.slice(0, 100);
  const [head = "", tail] = a.split("::");
  const groups = (s: string) => (s ? s.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
