import type { Metadata } from "next";
import { UsersScreen } from "@/components/auth/admin/users-screen";
import { NotAllowed } from "@/components/auth/not-allowed";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { TableSkeleton } from "@/components/ui/skeleton";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { user, allowed } = await pageAccess("admin");
  if (!allowed) return <NotAllowed need="admin" role={user.role} />;
  await getQueryClient().prefetchQuery(trpc.adminUsers.list.queryOptions());
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader title="Users" description="Who can sign in, and with which role. Role changes apply at once, also to open sessions." />
        <QueryBoundary what="users" fallback={<TableSkeleton rows={6} columns={5} label="Loading users" />}>
          <UsersScreen currentUserId={user.id} />
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
