import type { Metadata } from "next";
import { ExceptionDetail } from "@/components/exceptions/exception-detail";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, prefetchOrNotFound, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exception" };

export default async function ExceptionPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  await requirePageUser();
  const qc = getQueryClient();
  const [, , e] = await Promise.all([qc.prefetchQuery(trpc.me.get.queryOptions()), qc.prefetchQuery(trpc.exceptions.facets.queryOptions()), prefetchOrNotFound(trpc.exceptions.get.queryOptions({ id }))]);
  if (e?.candidateVersion) {
    const current = e.case.currentVersion;
    await (current && current !== e.candidateVersion
      ? qc.prefetchQuery(trpc.records.compare.queryOptions({ caseId: e.caseId, from: current, to: e.candidateVersion }))
      : qc.prefetchQuery(trpc.records.version.queryOptions({ caseId: e.caseId, version: e.candidateVersion })));
  }
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] px-4 py-4">
        <QueryBoundary what="the exception" fallback={<BlockSkeleton lines={14} label="Loading exception" />}>
          <ExceptionDetail id={id} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
