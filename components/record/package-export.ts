import { fieldLabel, formatAbsolute, formatScalar, isPlainObject, itemName, sectionLabel } from "../../shared/format";
import { ruleLabel } from "../lib/rules";

/** What a handoff carries: the current record, its lineage, the open exceptions, and when it was exported. */
export interface PackageInput {
  caseId: string;
  subject: string | null;
  customerName: string | null;
  version: number;
  refreshedAt: Date | string;
  summary: string;
  record: Record<string, unknown>;
  lineage: Record<string, unknown>;
  openExceptions: { id: string; rule: string; status: string; message: string; candidateVersion: number | null; openedAt: Date | string; claimedBy: { name: string } | null }[];
  exportedAt: Date;
}

const SECTION_ORDER = ["case", "entitlement", "incidents", "environment", "reproduction", "artifacts", "approvedLogs", "notes"];

/** The package as JSON: the read API's record shape plus who/when context, for tools. */
export function packageJson(p: PackageInput): string {
  return JSON.stringify(
    {
      caseId: p.caseId,
      version: p.version,
      refreshedAt: new Date(p.refreshedAt).toISOString(),
      exportedAt: p.exportedAt.toISOString(),
      summary: p.summary,
      record: p.record,
      lineage: p.lineage,
      openExceptions: p.openExceptions.map((e) => ({ ...e, openedAt: new Date(e.openedAt).toISOString() })),
    },
    null,
    2,
  );
}

/** Markdown text is data: characters that would start markup are escaped. */
const md = (s: string) => s.replace(/([\\`*_[\]<>#|])/g, "\\$1").replace(/\r?\n/g, " ");

function valueLines(value: unknown, indent: string, key?: string): string[] {
  if (Array.isArray(value)) {
    if (!value.length) return [`${indent}- none`];
    return value.flatMap((v) => {
      if (isPlainObject(v) || Array.isArray(v)) {
        const name = itemName(v);
        return [`${indent}- ${name ? `**${md(name)}**` : "item"}`, ...valueLines(v, `${indent}  `)];
      }
      return [`${indent}- ${md(formatScalar(v, key))}`];
    });
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (!entries.length) return [`${indent}- empty`];
    return entries.flatMap(([k, v]) =>
      isPlainObject(v) || (Array.isArray(v) && v.some((x) => isPlainObject(x) || Array.isArray(x)))
        ? [`${indent}- ${md(fieldLabel(k))}:`, ...valueLines(v, `${indent}  `, k)]
        : Array.isArray(v)
          ? [`${indent}- ${md(fieldLabel(k))}: ${v.length ? v.map((x) => md(formatScalar(x, k))).join(", ") : "none"}`]
          : [`${indent}- ${md(fieldLabel(k))}: ${md(formatScalar(v, k))}`],
    );
  }
  return [`${indent}- ${md(formatScalar(value, key))}`];
}

/** The package as Markdown, for a ticket, a chat or an e-mail: sections in the record page's order. */
export function packageMarkdown(p: PackageInput): string {
  const lines = [
    `# Escalation package ${md(p.caseId)}${p.subject ? ` — ${md(p.subject)}` : ""}`,
    "",
    `Customer: ${md(p.customerName ?? "—")} · record version v${p.version}, current since ${formatAbsolute(p.refreshedAt)} · exported ${formatAbsolute(p.exportedAt)}`,
    "",
    `> ${md(p.summary)}`,
    "",
    "## Open exceptions",
    "",
    ...(p.openExceptions.length
      ? p.openExceptions.map(
          (e) =>
            `- **${md(ruleLabel(e.rule))}** (${e.status}${e.claimedBy ? `, claimed by ${md(e.claimedBy.name)}` : ""}), opened ${formatAbsolute(e.openedAt)}${e.candidateVersion ? `, holds v${e.candidateVersion}` : ""}: ${md(e.message)}`,
        )
      : ["None."]),
  ];
  const sections = [...SECTION_ORDER.filter((s) => s in p.record), ...Object.keys(p.record).filter((k) => !SECTION_ORDER.includes(k))];
  for (const s of sections) {
    lines.push("", `## ${md(sectionLabel(s))}`, "");
    const v = p.record[s];
    lines.push(...(v === null || v === undefined ? ["- none"] : valueLines(v, "", s)));
  }
  return lines.join("\n") + "\n";
}

/** Saves text as a file in the browser. */
export function download(name: string, type: string, text: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
