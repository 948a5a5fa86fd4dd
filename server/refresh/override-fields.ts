import { z } from "zod";
import { entitlementData, environmentData, ticketData } from "../intake/event-schemas";
import { normaliseAlias } from "../reference/normalise";
import { convertValue, isAddedField, type AddedField } from "../reference/schema-fields";
import type { Json, ReferenceData } from "./types";
import { describePath } from "../../shared/format";

/**
 * The record fields a specialist may override, each with the type its source gives it (the intake's
 * own schemas), and how an override value is normalised like source data: a product (code, name
 * or alias) becomes the product's code and name, a tier (code, name or alias) the canonical tier
 * with its name and SLA minutes. Everything else in the record is either derived (set through the
 * field it follows), an identity (case id, account of an entitlement, environment id) or a list.
 */
export type OverrideFieldSpec = { kind: "value"; schema: z.ZodType } | { kind: "tier" } | { kind: "product" } | { kind: "added"; field: AddedField };

const value = (schema: z.ZodType): OverrideFieldSpec => ({ kind: "value", schema });
const repro = ticketData.shape.reproduction.shape;

export const OVERRIDE_FIELDS: ReadonlyMap<string, OverrideFieldSpec> = new Map<string, OverrideFieldSpec>([
  ["/case/accountId", value(ticketData.shape.accountId)],
  ["/case/customerName", value(ticketData.shape.customerName)],
  ["/case/subject", value(ticketData.shape.subject)],
  ["/case/status", value(ticketData.shape.status)],
  ["/case/severity", value(ticketData.shape.severity)],
  ["/case/product", { kind: "product" }],
  ["/case/declaredTier", { kind: "tier" }],
  ["/entitlement/tier", { kind: "tier" }],
  ["/entitlement/status", value(entitlementData.shape.status)],
  ["/entitlement/contractId", value(entitlementData.shape.contractId)],
  ["/entitlement/validUntil", value(entitlementData.shape.validUntil)],
  ["/entitlement/correctionReason", value(z.string().trim().min(1, "must not be empty").max(2000, "must be at most 2000 characters"))],
  ["/environment/productVersion", value(environmentData.shape.productVersion)],
  ["/environment/deployment", value(environmentData.shape.deployment)],
  ["/environment/os", value(environmentData.shape.os)],
  ["/environment/region", value(environmentData.shape.region)],
  ["/environment/capturedAt", value(environmentData.shape.capturedAt)],
  ["/reproduction/status", value(repro.status)],
  ["/reproduction/steps", value(repro.steps)],
]);

/** Fields normalisation derives from another one: overriding that one sets them. */
export const DERIVED_FIELDS: ReadonlyMap<string, string> = new Map([
  ["/case/productName", "/case/product"],
  ["/case/productArea", "/case/product"],
  ["/entitlement/tierName", "/entitlement/tier"],
  ["/entitlement/slaMinutes", "/entitlement/tier"],
]);

/**
 * How a path may be overridden: a built-in field of OVERRIDE_FIELDS, or a field the active schema
 * version added (docs/domain.md: a required one the sources miss is disputed by SCHEMA_INVALID, and a
 * specialist may supply it), typed and normalised like its source value would be.
 */
export function overrideSpecOf(path: string, ref: ReferenceData): OverrideFieldSpec | undefined {
  const builtIn = OVERRIDE_FIELDS.get(path);
  if (builtIn) return builtIn;
  const added = ref.schema.fields.find((f) => isAddedField(f) && "/" + f.path.split(".").join("/") === path);
  return added && isAddedField(added) ? { kind: "added", field: added } : undefined;
}

/** The enum values of a field, for forms; null when it takes free text, a tier or a product. */
export function fieldOptions(path: string, ref: ReferenceData): string[] | null {
  const spec = overrideSpecOf(path, ref);
  if (spec?.kind === "added") return spec.field.type === "enum" ? [...(spec.field.values ?? [])] : spec.field.type === "boolean" ? ["true", "false"] : null;
  return spec?.kind === "value" && spec.schema instanceof z.ZodEnum ? (spec.schema.options as string[]) : null;
}

const tierCodes = (ref: ReferenceData) => [...new Set([...ref.tiers.values()].map((t) => t.code))].sort();
const productCodes = (ref: ReferenceData) => [...new Set([...ref.products.values()].map((p) => p.code))].sort();

/** Validates and normalises an override value for a field overrideSpecOf knows; the message is for a 400 and names the field by its label. */
export function normaliseOverride(path: string, input: unknown, ref: ReferenceData): { ok: true; value: Json } | { ok: false; message: string } {
  const spec = overrideSpecOf(path, ref);
  // The message is shown to people: the field by the label the tables use, never its JSON path.
  const label = describePath(path);
  if (!spec) return { ok: false, message: `${label} cannot be overridden` };
  const got = JSON.stringify(input) ?? String(input);
  if (spec.kind === "added") {
    const converted = convertValue(spec.field, input);
    if (!converted) return { ok: false, message: `${label} needs a value (${spec.field.type}${spec.field.type === "enum" ? `: ${(spec.field.values ?? []).join(", ")}` : ""})` };
    return converted.ok ? { ok: true, value: converted.value } : { ok: false, message: `${label} must be ${spec.field.type === "enum" ? "one of the field's values" : `a ${spec.field.type}`}: ${converted.reason}` };
  }
  if (spec.kind === "tier") {
    const tier = typeof input === "string" ? ref.tiers.get(normaliseAlias(input)) : undefined;
    return tier ? { ok: true, value: tier.code } : { ok: false, message: `${label} must be a tier of the service-tier registry (${tierCodes(ref).join(", ")}) or one of its aliases (got ${got})` };
  }
  if (spec.kind === "product") {
    const product = typeof input === "string" ? ref.products.get(normaliseAlias(input)) : undefined;
    return product ? { ok: true, value: product.code } : { ok: false, message: `${label} must be a product of the taxonomy (${productCodes(ref).join(", ")}) or one of its aliases (got ${got})` };
  }
  const parsed = spec.schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as Json };
  const options = fieldOptions(path, ref);
  if (options) return { ok: false, message: `${label} must be one of ${options.join(", ")} (got ${got})` };
  return { ok: false, message: `${label} ${parsed.error.issues[0]?.message ?? "is not valid"} (got ${got})`.replace(/Invalid input: /, "") };
}

/**
 * The record leaves an override sets, normalised with the reference data in force (like a source
 * value would be): a product sets its code and name, a tier its code, name and SLA minutes.
 */
export function overrideWrites(path: string, value: unknown, ref: ReferenceData): [string, Json][] {
  const v = value as Json;
  if (path === "/case/product" && typeof value === "string") {
    const p = ref.products.get(value.toLowerCase());
    return p ? [[path, p.code], ["/case/productName", p.name]] : [[path, v]];
  }
  if (path === "/entitlement/tier" && typeof value === "string") {
    const t = ref.tiers.get(value.toLowerCase());
    return t ? [[path, t.code], ["/entitlement/tierName", t.name], ["/entitlement/slaMinutes", t.slaMinutes]] : [[path, v]];
  }
  return [[path, v]];
}

/**
 * The record path holding an overridden field's own source value: what must stay the same for the
 * override to hold. The product is normalised from the ticket's product area, so the product area
 * text is its source value; every other field is its own.
 */
export function overrideBasisPath(path: string): string {
  return path === "/case/product" ? "/case/productArea" : path;
}
