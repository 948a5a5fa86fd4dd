import type { Metadata } from "next";
import { EventsView } from "@/components/events/events-view";
import { eventQueryFromParams, refusalQueryFromParams } from "@/components/events/params";
import { toSearchParams } from "@/components/records/params";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Events" };

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = toSearchParams(await searchParams);
  await requirePageUser();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.events.facets.queryOptions()),
    sp.get("tab") === "refusals"
      ? qc.prefetchQuery(trpc.events.refusals.queryOptions(refusalQueryFromParams(sp)))
      : qc.prefetchQuery(trpc.events.list.queryOptions(eventQueryFromParams(sp))),
  ]);
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
        <PageHeader title="Events" description="The intake stream, newest first: what each delivery was and which versions it produced." />
        <QueryBoundary what="events" fallback={<TableSkeleton rows={12} columns={6} label="Loading events" />}>
          <EventsView />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
