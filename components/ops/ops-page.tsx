import { NotAllowed } from "@/components/auth/not-allowed";
import { PageHeader } from "@/components/ui/page-header";
import { QueryBoundary } from "@/components/ui/query-boundary";
import { BlockSkeleton } from "@/components/ui/skeleton";
import { HydrateClient } from "@/server/trpc/server";
import type { SessionUser } from "@/server/auth/session";

/** The frame of every operations screen (the admin layout gives the navigation): title, and the screen under Suspense. */
export function OpsPage({ title, description, what, access, children }: { title: string; description: React.ReactNode; what: string; access: { user: SessionUser; allowed: boolean }; children: React.ReactNode }) {
  if (!access.allowed) return <NotAllowed need="admin" role={access.user.role} />;
  return (
    <HydrateClient>
      <main className="space-y-4">
        <PageHeader title={title} description={description} />
        <QueryBoundary what={what} fallback={<BlockSkeleton lines={8} label={`Loading ${what}`} />}>
          {children}
        </QueryBoundary>
      </main>
    </HydrateClient>
  );
}
