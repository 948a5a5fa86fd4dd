import type { Metadata } from "next";
import { OpsPage } from "@/components/ops/ops-page";
import { ReplayScreen } from "@/components/ops/replay-screen";
import { pageAccess } from "@/server/auth/page-guard";
import { getQueryClient, trpc } from "@/server/trpc/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Replay" };

export default async function ReplayPage() {
  const access = await pageAccess("admin");
  if (access.allowed) await getQueryClient().prefetchQuery(trpc.opsJobs.list.queryOptions({ kinds: ["replay_case", "replay_window", "replay_all"], limit: 10 }));
  return (
    <OpsPage access={access} what="replays" title="Replay from stored events" description="Re-materialise one case, a time window or everything, and see whether the records came out the same.">
      <ReplayScreen />
    </OpsPage>
  );
}
