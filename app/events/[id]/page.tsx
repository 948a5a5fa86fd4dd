import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EventDetail } from "@/components/events/event-detail";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Event" };

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  await requirePageUser();
  const qc = getQueryClient();
  const options = trpc.events.get.queryOptions({ id });
  await qc.prefetchQuery(options);
  if (!qc.getQueryData(options.queryKey) && (qc.getQueryState(options.queryKey)?.error as { code?: string } | null)?.code === "NOT_FOUND") notFound();
  return (
    <HydrateClient>
      <main className="mx-auto max-w-[1600px] px-4 py-4">
        <QueryBoundary what="the event" fallback={<BlockSkeleton lines={12} label="Loading event" />}>
          <EventDetail id={id} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
