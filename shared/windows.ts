/**
 * The time windows of the dashboard and the recurring-exceptions report: one vocabulary for URLs
 * (`?window=1h|24h|7d`), the UI's labels and the server's queries (with the bucket width their
 * charts use). Plain TypeScript shared by both sides.
 */
export const WINDOWS = {
  "1h": { label: "Last hour", phrase: "last hour", seconds: 3_600, bucketSeconds: 300 },
  "24h": { label: "Last 24 h", phrase: "last 24 hours", seconds: 86_400, bucketSeconds: 3_600 },
  "7d": { label: "Last 7 days", phrase: "last 7 days", seconds: 604_800, bucketSeconds: 21_600 },
} as const;

export type WindowKey = keyof typeof WINDOWS;
export const WINDOW_KEYS = Object.keys(WINDOWS) as WindowKey[];
export const DEFAULT_WINDOW: WindowKey = "24h";

/** Older dashboard links gave the window in hours (`?window=1|24|168`). */
const BY_HOURS: Record<string, WindowKey> = { "1": "1h", "24": "24h", "168": "7d" };

/** The window a URL parameter names; the default (24 h) for anything else. */
export function windowOf(raw: string | null | undefined): WindowKey {
  if (raw && raw in WINDOWS) return raw as WindowKey;
  return (raw && BY_HOURS[raw]) || DEFAULT_WINDOW;
}
