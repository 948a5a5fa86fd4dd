import { z } from "zod";

/** The dashboard and report windows, with the bucket width their charts use. */
export const WINDOWS = {
  "1h": { label: "last hour", seconds: 3_600, bucketSeconds: 300 },
  "24h": { label: "last 24 hours", seconds: 86_400, bucketSeconds: 3_600 },
  "7d": { label: "last 7 days", seconds: 604_800, bucketSeconds: 21_600 },
} as const;

export type WindowKey = keyof typeof WINDOWS;
export const windowKey = z.enum(["1h", "24h", "7d"]);
