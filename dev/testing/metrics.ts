import { metrics } from "../../server/ops/metrics";

/** Deliveries this process refused for `reason` (escalation_intake_refused_total, summed over sources). */
export async function refusedFor(reason: string): Promise<number> {
  return (await metrics.intakeRefused.get()).values.filter((v) => v.labels.reason === reason).reduce((n, v) => n + v.value, 0);
}
