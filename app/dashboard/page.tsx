import type { Metadata } from "next";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { windowOf } from "@/shared/windows";
import { OpsDashboard } from "@/components/ops/ops-dashboard";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const user = await requirePageUser();
  const raw = typeof sp.window === "string" ? sp.window : null;
  const qc = getQueryClient();
  // One read serves the whole page: the overview tiles and the refresh measures below share it.
  await qc.prefetchQuery(trpc.opsDashboard.get.queryOptions({ window: windowOf(raw) }));
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
        <PageHeader title="Dashboard" description="How the refresh is keeping up: intake, outcomes, exceptions, latency and backlog." />
        <QueryBoundary what="the dashboard" fallback={<BlockSkeleton lines={10} label="Loading dashboard" />}>
          <DashboardView />
        </QueryBoundary>
        <QueryBoundary what="the refresh measures" fallback={<BlockSkeleton lines={12} label="Loading the refresh measures" />}>
          <OpsDashboard isAdmin={user.role === "admin"} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
