import type { Metadata } from "next";
import { ExceptionsView } from "@/components/exceptions/exceptions-view";
import { exceptionQueryFromParams } from "@/components/exceptions/params";
import { toSearchParams } from "@/components/records/params";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exceptions" };

export default async function ExceptionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const user = await requirePageUser();
  const query = exceptionQueryFromParams(toSearchParams(sp), user.id);
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.me.get.queryOptions()),
    qc.prefetchQuery(trpc.exceptions.facets.queryOptions()),
    qc.prefetchQuery(trpc.exceptions.list.queryOptions(query)),
  ]);
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
        <PageHeader title="Exceptions" description="Refreshes a rule stopped: claim one, weigh the evidence, then approve, reject or override." />
        <QueryBoundary what="exceptions" fallback={<TableSkeleton rows={10} columns={6} label="Loading exceptions" />}>
          <ExceptionsView />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
