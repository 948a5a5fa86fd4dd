import type { Metadata } from "next";
import { NotAllowed } from "@/components/auth/not-allowed";
import { OutboundScreen } from "@/components/notify/outbound-screen";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Outbound notifications" };

export default async function OutboundPage() {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  await getQueryClient().prefetchQuery(trpc.adminOutbound.list.queryOptions());
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader title="Outbound notifications" description="Downstream endpoints notified of every record change, signed, retried, in order." />
        <QueryBoundary what="endpoints" fallback={<TableSkeleton rows={3} columns={4} label="Loading endpoints" />}>
          <OutboundScreen />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
