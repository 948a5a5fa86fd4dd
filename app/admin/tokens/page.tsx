import type { Metadata } from "next";
import { TokensScreen } from "@/components/auth/admin/tokens-screen";
import { NotAllowed } from "@/components/auth/not-allowed";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  await getQueryClient().prefetchQuery(trpc.adminTokens.list.queryOptions());
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader title="API tokens" description="Read-only bearer tokens for the read API." />
        <QueryBoundary what="tokens" fallback={<TableSkeleton rows={4} columns={6} label="Loading tokens" />}>
          <TokensScreen />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
