import type { Tx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { newId } from "../lib/ids";
import { RULES, type Rule, type RuleHit } from "../refresh/types";

const json = (v: unknown) => v as Prisma.InputJsonValue;

/** A live (open or claimed) exception of a case. */
export interface LiveException {
  id: string;
  rule: string;
}

const isConflictRule = (rule: string): rule is Rule => (RULES as readonly string[]).includes(rule);

/**
 * One live exception per case and conflict rule, always showing the newest candidate; conflict
 * rules that no longer fire are cleared. PROCESSING_FAILED exceptions are about an event, not the
 * candidate, so a refresh never clears them. Returns how many exceptions of the case stay live.
 */
export async function syncExceptions(tx: Tx, caseId: string, live: LiveException[], hits: RuleHit[], candidateVersion: number): Promise<number> {
  const byRule = new Map<Rule, RuleHit[]>();
  for (const h of hits) byRule.set(h.rule, [...(byRule.get(h.rule) ?? []), h]);
  const now = new Date();
  for (const [rule, ruleHits] of byRule) {
    const detail = json({ message: ruleHits.map((h) => h.message).join(" "), hits: ruleHits });
    const existing = live.find((e) => e.rule === rule);
    const first = ruleHits[0]!;
    if (existing) {
      await tx.caseException.update({
        where: { id: existing.id },
        data: { candidateVersion, detail, lastSeenAt: now, sourceName: first.sourceName, field: first.field },
      });
    } else {
      await tx.caseException.create({
        data: { id: newId("exc"), caseId, rule, liveKey: `${caseId}:${rule}`, candidateVersion, detail, sourceName: first.sourceName, field: first.field },
      });
    }
  }
  const gone = live.filter((e) => isConflictRule(e.rule) && !byRule.has(e.rule));
  await resolveCleared(tx, gone.map((e) => e.id), "This rule no longer fires on the newest candidate.");
  return live.filter((e) => !isConflictRule(e.rule)).length + byRule.size;
}

/** Clears every live conflict exception of the case; returns how many exceptions stay live. */
export async function clearExceptions(tx: Tx, live: LiveException[], note: string): Promise<number> {
  await resolveCleared(tx, live.filter((e) => isConflictRule(e.rule)).map((e) => e.id), note);
  return live.filter((e) => !isConflictRule(e.rule)).length;
}

async function resolveCleared(tx: Tx, ids: string[], note: string): Promise<void> {
  if (!ids.length) return;
  await tx.caseException.updateMany({
    where: { id: { in: ids }, liveKey: { not: null } },
    data: { status: "resolved", liveKey: null, resolution: "cleared", resolutionNote: note, resolvedAt: new Date() },
  });
}
