import type { Metadata } from "next";
import { OpsPage } from "@/components/ops/ops-page";
import { SchemaScreen } from "@/components/ops/schema-screen";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Escalation schema" };

export default async function SchemaPage() {
  const access = await pageAccess("admin");
  if (access.allowed) {
    const qc = getQueryClient();
    await Promise.all([qc.prefetchQuery(trpc.opsSchema.list.queryOptions()), qc.prefetchQuery(trpc.opsJobs.list.queryOptions({ kinds: ["schema_publish"], limit: 3 }))]);
  }
  return (
    <OpsPage
      access={access}
      what="schema versions"
      title="Escalation schema"
      description="Which record fields are required, and fields added to the record from values its sources send. The newest published version is active; publishing re-materialises every record against it."
    >
      <SchemaScreen />
    </OpsPage>
  );
}
