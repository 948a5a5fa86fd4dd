import type { Metadata } from "next";
import { OpsPage } from "@/components/ops/ops-page";
import { ReferenceScreen } from "@/components/ops/reference-screen";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Reference data" };

export default async function ReferencePage() {
  const access = await pageAccess("admin");
  if (access.allowed) await Promise.all([getQueryClient().prefetchQuery(trpc.opsReference.list.queryOptions()), getQueryClient().prefetchQuery(trpc.opsReference.exceptionSlas.queryOptions())]);
  return (
    <OpsPage access={access} what="reference data" title="Reference data" description="The product taxonomy and the service-tier registry that normalise what sources write, and the exception SLA.">
      <ReferenceScreen />
    </OpsPage>
  );
}
