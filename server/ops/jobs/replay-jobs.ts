import { z } from "zod";
import { safeCoercedDate } from "../../lib/safe-text";
import { assertRole } from "../../auth/authorize";
import type { Db } from "../../db/client";
import { audit, type Actor } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { wakeJobRunner } from "./job-runner";
import { enqueueJob } from "./jobs";

const MAX_WINDOW_DAYS = 31;

export const replayInput = z.discriminatedUnion("scope", [
  z.object({ scope: z.literal("case"), caseId: z.string().trim().min(1, "enter a case id").max(200) }),
  z.object({ scope: z.literal("window"), from: safeCoercedDate(), to: safeCoercedDate() }),
  z.object({ scope: z.literal("all") }),
]);
export type ReplayInput = z.input<typeof replayInput>;

/**
 * Queues a re-materialisation from stored events (server/refresh/replay.ts does the work in the
 * job runner); the job's result says whether each record matched or exactly which paths differed.
 */
export async function requestReplay(db: Db, actor: Actor, raw: ReplayInput): Promise<{ jobId: string }> {
  assertRole(actor, "admin");
  const input = replayInput.parse(raw);
  const queued = await db.$transaction(async (tx) => {
    let jobId: string;
    if (input.scope === "case") {
      const known =
        (await tx.case.findUnique({ where: { id: input.caseId }, select: { id: true } })) ??
        (await tx.webhookEvent.findFirst({ where: { caseId: input.caseId }, select: { id: true } }));
      if (!known) throw new AppError("NOT_FOUND", `no case ${input.caseId} and no stored event names it`);
      jobId = await enqueueJob(tx, actor, "replay_case", { label: `Replay case ${input.caseId}`, caseId: input.caseId });
    } else if (input.scope === "window") {
      if (!(input.from < input.to)) throw new AppError("BAD_REQUEST", "the window must start before it ends");
      if (input.to.getTime() - input.from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
        throw new AppError("BAD_REQUEST", `a window replay spans at most ${MAX_WINDOW_DAYS} days; replay everything instead`);
      }
      const label = `Replay cases with events received ${input.from.toISOString().slice(0, 16).replace("T", " ")} – ${input.to.toISOString().slice(0, 16).replace("T", " ")} UTC`;
      jobId = await enqueueJob(tx, actor, "replay_window", { label, from: input.from.toISOString(), to: input.to.toISOString() });
    } else {
      jobId = await enqueueJob(tx, actor, "replay_all", { label: "Replay every case" });
    }
    await audit(tx, actor, { action: "replay.request", targetType: "job", targetId: jobId, after: input });
    return { jobId };
  });
  wakeJobRunner();
  return queued;
}
