import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NotAllowed } from "@/components/auth/not-allowed";
import { EndpointScreen } from "@/components/notify/endpoint-screen";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Outbound endpoint" };

export default async function OutboundEndpointPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  const { id } = await params;
  const qc = getQueryClient();
  const options = trpc.adminOutbound.get.queryOptions({ id });
  await qc.prefetchQuery(options);
  // An id that does not exist is a 404 page here, not a client query run during the server render
  // (which has no origin to resolve /api/trpc against, and logged a failed render per visit).
  if (!qc.getQueryData(options.queryKey) && (qc.getQueryState(options.queryKey)?.error as { code?: string } | null)?.code === "NOT_FOUND") notFound();
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
