import { CAUSE_LABEL, CAUSE_SHORT, CAUSE_STYLE, sortCauses, type Cause } from "../lib/causes";
import { ruleLabel } from "../lib/rules";

const chipBase = "inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap";

export function CauseChip({ cause, long = false }: { cause: Cause; long?: boolean }) {
  return (
    <span className={`${chipBase} ${CAUSE_STYLE[cause].chip}`} title={CAUSE_LABEL[cause]} data-cause={cause}>
      <span aria-hidden="true" className={`h-1.5 w-1.5 rounded-full ${CAUSE_STYLE[cause].dot}`} />
      {long ? CAUSE_LABEL[cause] : CAUSE_SHORT[cause]}
    </span>
  );
}

export function CauseChips({ causes, long = false, empty = "—" }: { causes: readonly string[]; long?: boolean; empty?: string }) {
  const sorted = sortCauses(causes);
  if (!sorted.length) return <span className="text-slate-500">{empty}</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {sorted.map((c) => (
        <CauseChip key={c} cause={c} long={long} />
      ))}
    </span>
  );
}

const SEVERITY: Record<string, string> = {
  S1: "bg-red-700 text-white ring-red-700",
  S2: "bg-orange-100 text-orange-900 ring-orange-300",
  S3: "bg-yellow-50 text-yellow-900 ring-yellow-300",
  S4: "bg-slate-100 text-slate-700 ring-slate-300",
};

export function SeverityBadge({ severity }: { severity: string | null | undefined }) {
  if (!severity) return <span className="text-slate-500">—</span>;
  return (
    <span className={`${chipBase} font-semibold tabular-nums ${SEVERITY[severity] ?? SEVERITY.S4}`} title={`Severity ${severity}`}>
      {severity}
    </span>
  );
}

const TONE: Record<string, string> = {
  green: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  amber: "bg-amber-50 text-amber-900 ring-amber-300",
  red: "bg-red-50 text-red-900 ring-red-300",
  blue: "bg-blue-50 text-blue-900 ring-blue-300",
  slate: "bg-slate-100 text-slate-700 ring-slate-300",
  violet: "bg-violet-50 text-violet-900 ring-violet-300",
};
export type Tone = keyof typeof TONE;

export function Badge({ tone = "slate", children, title }: { tone?: Tone; children: React.ReactNode; title?: string }) {
  return (
    <span className={`${chipBase} ${TONE[tone]}`} title={title}>
      {children}
    </span>
  );
}

const VERSION_TONE: Record<string, Tone> = { current: "green", superseded: "slate", held: "amber", rejected: "red" };
/**
 * A version's status. A superseded version that never became current (a held candidate a newer
 * candidate replaced) says so instead of "superseded", which would claim it had once been current.
 */
export function VersionStatusBadge({ status, neverCurrent = false }: { status: string; neverCurrent?: boolean }) {
  if (status === "superseded" && neverCurrent) {
    return (
      <Badge tone="slate" title="A held candidate a newer candidate replaced before anyone decided on it; it was never the current record">
        replaced candidate, never current
      </Badge>
    );
  }
  return <Badge tone={VERSION_TONE[status] ?? "slate"}>{status}</Badge>;
}

const EVENT_TONE: Record<string, Tone> = {
  applied: "green",
  held: "amber",
  no_change: "slate",
  stale: "slate",
  waiting: "blue",
  quarantined: "red",
  failed: "red",
  received: "blue",
};
export function EventStatusBadge({ status }: { status: string }) {
  return <Badge tone={EVENT_TONE[status] ?? "slate"}>{status.replace("_", " ")}</Badge>;
}

const EXC_TONE: Record<string, Tone> = { open: "amber", claimed: "blue", resolved: "green" };
export function ExceptionStatusBadge({ status }: { status: string }) {
  return <Badge tone={EXC_TONE[status] ?? "slate"}>{status}</Badge>;
}

const CASE_STATUS_TONE: Record<string, Tone> = { open: "blue", pending: "amber", solved: "green", closed: "slate" };
export function CaseStatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="text-slate-500">—</span>;
  return <Badge tone={CASE_STATUS_TONE[status] ?? "slate"}>{status}</Badge>;
}

export function RuleBadge({ rule }: { rule: string }) {
  return (
    <span className={`${chipBase} bg-white text-slate-800 ring-slate-300 font-mono text-[11px]`} title={rule}>
      {ruleLabel(rule)}
    </span>
  );
}
