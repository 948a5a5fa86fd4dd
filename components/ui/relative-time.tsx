"use client";

import { formatAbsolute, formatRelative, toDate } from "../../shared/format";
import { useNow } from "../lib/use-now";

/** "5 min ago", with the absolute UTC time on hover and for assistive technology. */
export function RelativeTime({ value, className }: { value: Date | string | null | undefined; className?: string }) {
  const now = useNow();
  if (!value) return <span className={className}>—</span>;
  const d = toDate(value);
  const absolute = formatAbsolute(d);
  return (
    <time dateTime={d.toISOString()} title={absolute} className={className} suppressHydrationWarning>
      {formatRelative(d, now)}
    </time>
  );
}
