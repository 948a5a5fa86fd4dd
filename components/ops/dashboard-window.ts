import type { WindowKey } from "@/server/ops/dashboard/windows";

/**
 * /dashboard?window=1|24|168 (hours), the reviewer UI's parameter (components/dashboard/window.ts),
 * as the operations metrics' window keys; 24 hours by default.
 */
export function dashboardWindow(raw: string | null | undefined): WindowKey {
  return raw === "1" ? "1h" : raw === "168" ? "7d" : "24h";
}
