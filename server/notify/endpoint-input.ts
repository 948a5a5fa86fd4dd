import { z } from "zod";
import { DeltaCause } from "../db/generated/enums";
import { safeId, safeText } from "../lib/safe-text";
import { checkEndpointUrl, MAX_URL_LENGTH } from "./url-policy";

/** The admin procedures' inputs (docs/change-feed.md, "Managing endpoints"). */
const url = z
  .string()
  .max(MAX_URL_LENGTH + 100, `url must be at most ${MAX_URL_LENGTH} characters`)
  .transform((v, ctx) => {
    try {
      return checkEndpointUrl(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });
const description = safeText(500).transform((s) => s.trim());
const causes = z.array(z.enum(Object.values(DeltaCause) as [DeltaCause, ...DeltaCause[]])).max(20).transform((c) => [...new Set(c)]);
const caseIdPrefix = safeText(100)
  .transform((s) => s.trim())
  .refine((s) => !/[\s%_\\]/.test(s), "caseIdPrefix must be the start of a case id: no spaces, %, _ or \\")
  .transform((s) => s || null);
const note = safeText(500).trim().optional();

export const endpointIdInput = z.object({ id: safeId(100), note });
export const createEndpointInput = z.object({ url, description: description.default(""), causes: causes.default([]), caseIdPrefix: caseIdPrefix.optional() });
export const updateEndpointInput = z.object({ id: safeId(100), url: url.optional(), description: description.optional(), causes: causes.optional(), caseIdPrefix: caseIdPrefix.nullable().optional(), note });
export const setEnabledInput = z.object({ id: safeId(100), enabled: z.boolean(), note });
export const deliveryLogInput = z.object({ endpointId: safeId(100), after: safeText(500).optional(), before: safeText(500).optional(), pageSize: z.number().int().min(5).max(100).default(25) });
export const deliveryIdInput = z.object({ id: safeId(100) });
