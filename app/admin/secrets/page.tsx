import type { Metadata } from "next";
import { SecretsScreen } from "@/components/auth/admin/secrets-screen";
import { NotAllowed } from "@/components/auth/not-allowed";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Webhook secrets" };

export default async function SecretsPage() {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  await getQueryClient().prefetchQuery(trpc.adminSecrets.list.queryOptions());
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader title="Webhook secrets" description="Signing secrets per source, with rotation and overlap." />
        <QueryBoundary what="secrets" fallback={<BlockSkeleton lines={8} label="Loading secrets" />}>
          <SecretsScreen />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
