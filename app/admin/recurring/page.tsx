import type { Metadata } from "next";
import { OpsPage } from "@/components/ops/ops-page";
import { RecurringScreen } from "@/components/ops/recurring-screen";
import { windowOf } from "@/shared/windows";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Recurring exceptions" };

export default async function RecurringPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const access = await pageAccess("admin");
  const window = windowOf(typeof sp.window === "string" ? sp.window : null);
  if (access.allowed) await getQueryClient().prefetchQuery(trpc.opsPolicies.recurring.queryOptions({ window }));
  return (
    <OpsPage
      access={access}
      what="the recurring-exceptions report"
      title="Recurring exceptions"
      description="Exceptions grouped by source, field and rule, with how they were resolved. A field whose review exceptions are routinely approved can move to auto from here."
    >
      <RecurringScreen />
    </OpsPage>
  );
}
