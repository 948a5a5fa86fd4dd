import type { Metadata } from "next";
import Link from "next/link";
import { NotAllowed } from "@/components/auth/not-allowed";
import { EndpointScreen } from "@/components/notify/endpoint-screen";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { HydrateClient, prefetchOrNotFound, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Outbound endpoint" };

export default async function OutboundEndpointPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  const { id } = await params;
  await prefetchOrNotFound(trpc.adminOutbound.get.queryOptions({ id }));
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader
          title="Outbound endpoint"
          actions={
            <Link href="/admin/outbound" className="text-sm text-blue-800 hover:underline">
              All endpoints
            </Link>
          }
        />
        <QueryBoundary what="the endpoint" fallback={<TableSkeleton rows={4} columns={5} label="Loading the endpoint" />}>
          <EndpointScreen id={id} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
