import type { Metadata } from "next";
import { RecordsView } from "@/components/records/records-view";
import { recordQueryFromParams, toSearchParams } from "@/components/records/params";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Records" };

export default async function RecordsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  await requirePageUser();
  const query = recordQueryFromParams(toSearchParams(sp));
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.records.list.queryOptions(query)), qc.prefetchQuery(trpc.records.facets.queryOptions())]);
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
        <PageHeader title="Records" description="Every current escalation record, newest refresh first." />
        <QueryBoundary what="records" fallback={<TableSkeleton rows={12} columns={8} label="Loading records" />}>
          <RecordsView />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
