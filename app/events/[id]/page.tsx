import type { Metadata } from "next";
import { EventDetail } from "@/components/events/event-detail";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/page-guard";
import { HydrateClient, prefetchOrNotFound, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Event" };

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  await requirePageUser();
  await prefetchOrNotFound(trpc.events.get.queryOptions({ id }));
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
