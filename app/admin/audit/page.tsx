import type { Metadata } from "next";
import { AuditScreen, type AuditFilters } from "@/components/auth/admin/audit-screen";
import { NotAllowed } from "@/components/auth/not-allowed";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.slice(0, 200) || undefined;

/** /admin/audit?targetType=exception&targetId=… links straight to one object's history. */
export default async function AuditPage({ searchParams }: { searchParams: Search }) {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  const sp = await searchParams;
  const initial: AuditFilters = { action: one(sp.action), actor: one(sp.actor), targetType: one(sp.targetType), targetId: one(sp.targetId) };
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.adminAudit.facets.queryOptions()), qc.prefetchQuery(trpc.adminAudit.list.queryOptions({ ...initial, cursor: undefined, limit: 50 }))]);
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader title="Audit log" description="Who did what, when, with the state before and after and the note they gave. Newest first." />
        <QueryBoundary what="the audit log" fallback={<TableSkeleton rows={12} columns={5} label="Loading the audit log" />}>
          <AuditScreen initial={initial} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
