import type { Metadata } from "next";
import { OpsPage } from "@/components/ops/ops-page";
import { PoliciesScreen } from "@/components/ops/policies-screen";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overwrite policies" };

export default async function PoliciesPage() {
  const access = await pageAccess("admin");
  if (access.allowed) await getQueryClient().prefetchQuery(trpc.opsPolicies.list.queryOptions());
  return (
    <OpsPage
      access={access}
      what="overwrite policies"
      title="Overwrite policies"
      description="Per source and field: whether a change applies automatically or waits for a specialist's review. Each change needs a reason and is audited."
    >
      <PoliciesScreen />
    </OpsPage>
  );
}
