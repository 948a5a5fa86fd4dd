/** The report and dashboard windows as they appear in URLs (?window=1h|24h|7d). */
export const WINDOW_OPTIONS = [
  { key: "1h", label: "Last hour" },
  { key: "24h", label: "Last 24 h" },
  { key: "7d", label: "Last 7 days" },
] as const;
export type WindowOption = (typeof WINDOW_OPTIONS)[number]["key"];

export function windowOf(raw: string | null | undefined): WindowOption {
  return WINDOW_OPTIONS.some((w) => w.key === raw) ? (raw as WindowOption) : "24h";
}
