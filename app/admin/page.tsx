import type { Metadata } from "next";
import Link from "next/link";
import { ADMIN_SCREENS } from "@/components/auth/admin/admin-screens";
import { NotAllowed } from "@/components/auth/not-allowed";
import { PageHeader } from "@/components/ui/page-header";
import { pageAccess } from "@/server/auth/page-guard";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin" };

export default async function AdminIndex() {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  return (
    <main className="space-y-4">
      <PageHeader title="Admin" description="Configuration and access. Every change here is written to the audit log." />
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {ADMIN_SCREENS.map((s) => (
          <li key={s.href}>
            <Link href={s.href} className="block h-full rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-blue-300 hover:bg-blue-50/40">
              <span className="text-base font-semibold text-slate-900">{s.title}</span>
              <span className="mt-1 block text-sm text-slate-600">{s.description}</span>
            </Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
