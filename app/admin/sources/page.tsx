import type { Metadata } from "next";
import { OpsPage } from "@/components/ops/ops-page";
import { SourcesScreen } from "@/components/ops/sources-screen";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sources" };

export default async function SourcesPage() {
  const access = await pageAccess("admin");
  if (access.allowed) await getQueryClient().prefetchQuery(trpc.opsSources.list.queryOptions());
  return (
    <OpsPage access={access} what="sources" title="Sources" description="The systems that post signed webhooks: onboard a new one, enable or disable it, set its rate limit. Every change is audited.">
      <SourcesScreen />
    </OpsPage>
  );
}
