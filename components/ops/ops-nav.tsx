"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { OPS_SCREENS } from "./ops-screens";

/** Second row under the admin navigation: the operations screens. */
export function OpsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Operations" className="flex flex-wrap items-center gap-1 text-sm">
      <span className="mr-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Operations</span>
      {OPS_SCREENS.map((s) => {
        const active = pathname === s.href || pathname.startsWith(`${s.href}/`);
        return (
          <Link
            key={s.href}
            href={s.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-2 py-1 font-medium ${active ? "bg-blue-100 text-blue-900" : "text-slate-700 hover:bg-slate-200"}`}
          >
            {s.title}
          </Link>
        );
      })}
      <Link href="/dashboard" className="rounded-md px-2 py-1 font-medium text-slate-700 hover:bg-slate-200">
        Dashboard ↗
      </Link>
    </nav>
  );
}
