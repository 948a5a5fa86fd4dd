import type { Metadata } from "next";
import { RecordView } from "@/components/record/record-view";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, prefetchOrNotFound, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ caseId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { caseId } = await params;
  return { title: decodeURIComponent(caseId) };
}

const positive = (v: string | string[] | undefined) => {
  const n = Number(Array.isArray(v) ? v[0] : v);
  return Number.isInteger(n) && n > 0 ? n : null;
};

export default async function RecordPage({ params, searchParams }: Props) {
  const [{ caseId: raw }, sp] = await Promise.all([params, searchParams]);
  const caseId = decodeURIComponent(raw);
  await requirePageUser();
  const qc = getQueryClient();
  const [overview] = await Promise.all([prefetchOrNotFound(trpc.records.overview.queryOptions({ caseId })), qc.prefetchQuery(trpc.records.timeline.queryOptions({ caseId }))]);
  // The delta shown first: what the URL asks for, else the current version's own change.
  const timeline = qc.getQueryData(trpc.records.timeline.queryOptions({ caseId }).queryKey);
  // A version the case does not have is not prefetched: the page names it (record-view.tsx).
  const known = (n: number | null) => (n !== null && timeline && n <= timeline.total ? n : null);
  const from = known(positive(sp.from));
  const to = known(positive(sp.to));
  const version = known(positive(sp.v)) ?? overview?.current?.version ?? timeline?.versions[0]?.version;
  const field = typeof sp.field === "string" && sp.field.startsWith("/") ? sp.field : null;
  const fieldVersion = positive(sp.fv) ?? (from && to ? to : version);
  await Promise.all([
    from && to ? qc.prefetchQuery(trpc.records.compare.queryOptions({ caseId, from, to })) : null,
    !(from && to) && version ? qc.prefetchQuery(trpc.records.version.queryOptions({ caseId, version })) : null,
    // The field history tab reads with suspense: it must be in the cache when the page renders on the server.
    sp.tab === "history" ? qc.prefetchQuery(trpc.records.caseHistory.queryOptions({ caseId })) : null,
    // A shared link can open the lineage panel directly.
    field && fieldVersion
      ? Promise.all([
          qc.prefetchQuery(trpc.records.fieldHistory.queryOptions({ caseId, path: field, version: fieldVersion })),
          qc.prefetchQuery(trpc.records.version.queryOptions({ caseId, version: fieldVersion })),
        ])
      : null,
  ]);
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] px-4 py-4">
        <QueryBoundary what="the record" fallback={<BlockSkeleton lines={14} label="Loading record" />}>
          <RecordView caseId={caseId} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
