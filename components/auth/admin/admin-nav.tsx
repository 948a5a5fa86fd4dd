"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { ADMIN_SCREENS } from "./admin-screens";

export function AdminNav() {
  const pathname = usePathname();
  const links = [{ href: "/admin", title: "Overview" }, ...ADMIN_SCREENS];
  return (
    <nav aria-label="Admin" className="flex flex-wrap gap-1 border-b border-slate-200 pb-2">
      {links.map((l) => {
        const active = l.href === "/admin" ? pathname === "/admin" : pathname === l.href || pathname.startsWith(`${l.href}/`);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-2.5 py-1.5 text-sm font-medium ${active ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-200"}`}
          >
            {l.title}
          </Link>
        );
      })}
    </nav>
  );
}
