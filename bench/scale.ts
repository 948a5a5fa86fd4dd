// `npm run bench:scale`: the same figures on a small and a large seeded database, in one run — refresh
// drain, one refresh, event-to-current, intake with refresh on, and the server time of the UI's
// pages — each large figure against its small twin (goal: within 1.5×). PostgreSQL: 1,000 cases /
// 10,000 events against 100,000 / 1,000,000 (`--quick`: 20,000 / 200,000); `--db=pglite`: 1,000
// against 10,000 / 100,000 (`--quick`: 5,000 / 50,000). `--keep` keeps the seeded databases
// (err_scale_<size>, or <tmp>/err_scale_pglite_<size>) and reuses them in later runs. Needs
// `npm run build` (the production server).
import "./quiet";
import { fmt, percentile, table } from "./lib";
import { p } from "./open-loop";
import { postgresTarget, pgliteTarget, sizeLabel, type SeededTarget, type Size } from "./scale/databases";
import { measureLoad, measurePaired, type LoadFigures, type PairedFigures, type PhaseSettings } from "./scale/measure-target";
import { figureTable, verdict, WITHIN, type Figure } from "./scale/report";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const keep = args.includes("--keep");
const kind = (args.find((a) => a.startsWith("--db="))?.slice(5) ?? "postgres") as "postgres" | "pglite";
if (kind !== "postgres" && kind !== "pglite") throw new Error(`--db must be postgres or pglite`);

const small: Size = { cases: 1_000, events: 10_000 };
const large: Size =
  kind === "postgres" ? (quick ? { cases: 20_000, events: 200_000 } : { cases: 100_000, events: 1_000_000 }) : quick ? { cases: 5_000, events: 50_000 } : { cases: 10_000, events: 100_000 };

/**
 * Offered rates, one event per case: steady loads the refresh keeps up with at both sizes, so the
 * figures show whether the database's size slows intake and refresh, not how an overloaded server
 * queues or sheds (bench:overload measures that). The embedded database runs in the app's one thread
 * with the refresh, which drains 60-90 distinct-case events/s there at any size (docs/performance.md,
 * "Scale"): 50/s for both phases; 100 a second would be a growing queue even at 1k cases.
 * PostgreSQL: event-to-current at 100/s, intake at 300/s.
 */
const LATENCY_RATE = kind === "pglite" ? 50 : 100;
const INTAKE_RATE = kind === "pglite" ? 50 : 300;

const settings: PhaseSettings = quick
  ? {
      oneRefresh: { samples: 100, budgetMs: 60_000 },
      drain: { events: 500, batch: 25, capMs: 90_000 },
      latency: { rate: LATENCY_RATE, seconds: 10, drainCapMs: 30_000 },
      intake: { rate: INTAKE_RATE, seconds: 10 },
      reads: { reps: 60, budgetMs: 10_000 },
      port: 4921,
    }
  : {
      oneRefresh: { samples: 300, budgetMs: 120_000 },
      drain: { events: 1_000, batch: 25, capMs: 180_000 },
      latency: { rate: LATENCY_RATE, seconds: 30, drainCapMs: 60_000 },
      intake: { rate: INTAKE_RATE, seconds: 20 },
      reads: { reps: 200, budgetMs: 20_000 },
      port: 4921,
    };

const median = (sorted: number[]) => percentile(sorted, 50);
const p95 = (sorted: number[]) => percentile(sorted, 95);

const t0 = performance.now();
const say = (label: string) => (m: string) => console.log(`[${fmt((performance.now() - t0) / 1000, 0)} s] ${label}: ${m}`);
const prepare = (size: Size) => (kind === "postgres" ? postgresTarget : pgliteTarget)(size, keep, say(`${kind} ${sizeLabel(size.cases)}`));

const targets: SeededTarget[] = [];
let paired: PairedFigures;
const load: LoadFigures[] = [];
try {
  targets.push(await prepare(small), await prepare(large));
  const [a, b] = targets as [SeededTarget, SeededTarget];
  paired = await measurePaired(a, b, settings, say(`${kind} ${a.label} + ${b.label}`));
  load.push(await measureLoad(a, paired.updates.small, settings, say(`${kind} ${a.label}`)));
  load.push(await measureLoad(b, paired.updates.large, settings, say(`${kind} ${b.label}`)));
} finally {
  for (const t of targets) await t.cleanup();
}

const figures: Figure[] = [
  { key: "drain", label: `refresh drain, ${settings.drain.events} events on distinct cases`, unit: "events/s", better: "higher" },
  { key: "one.p50", label: "one refresh, median", unit: "ms", better: "lower" },
  { key: "one.p95", label: "one refresh, p95", unit: "ms", better: "lower" },
  { key: "e2c.p50", label: `event-to-current p50 at ${settings.latency.rate}/s`, unit: "ms", better: "lower" },
  { key: "e2c.p99", label: `event-to-current p99 at ${settings.latency.rate}/s`, unit: "ms", better: "lower" },
  { key: "intake.rate", label: `intake accepted/s, ${settings.intake.rate}/s offered, refresh on`, unit: "req/s", better: "higher" },
  { key: "intake.p99", label: "intake ack p99, refresh on", unit: "ms", better: "lower" },
  ...paired.reads.map((r): Figure => ({ key: r.key, label: `p95 ${r.label}`, unit: "ms", better: "lower", under: r.key.startsWith("dashboard.") ? 300 : undefined })),
];
for (const [i, side] of (["small", "large"] as const).entries()) {
  const f = load[i]!;
  const values: Record<string, number> = {
    drain: f.drain.settled / f.drain.seconds,
    "one.p50": median(paired.oneRefresh[side]),
    "one.p95": p95(paired.oneRefresh[side]),
    "e2c.p50": f.latency.p50,
    "e2c.p99": f.latency.p99,
    "intake.rate": f.intake.accepted / f.intake.seconds,
    "intake.p99": p(f.intake, 99),
  };
  for (const r of paired.reads) values[r.key] = p95(r[side]);
  for (const fig of figures) {
    fig[side] = values[fig.key];
    if (fig.key.startsWith("e2c.") && f.latency.unfinished) fig[`${side}Censored`] = true;
  }
}

const describe = (t: SeededTarget, f: LoadFigures, side: "small" | "large") => [
  `${t.kind} ${t.label}`,
  `${t.seed.cases.toLocaleString("en")} cases, ${t.seed.events.toLocaleString("en")} events, ${t.seed.versions.toLocaleString("en")} versions, ${t.seed.openExceptions.toLocaleString("en")} open exceptions (seeded in ${fmt(t.seed.seconds, 0)} s)`,
  `drain: ${f.drain.settled}/${f.drain.events} settled in ${fmt(f.drain.seconds, 1)} s${f.drain.capped ? " (time cap)" : ""}; one refresh: n = ${paired.oneRefresh[side].length}; ` +
    `event-to-current: n = ${f.latency.n}, unprocessed ${f.latency.unfinished}; intake: ${f.intake.accepted}/${f.intake.sent} accepted, other ${JSON.stringify(f.intake.other)}; parked ${f.parked}; ` +
    `reads: n = ${paired.reads.map((r) => r[side].length).join("/")}`,
];
console.log(`\n## Scale on ${kind}${quick ? " (quick)" : ""}`);
console.log(table([["database", "contents", "phases"], describe(targets[0]!, load[0]!, "small"), describe(targets[1]!, load[1]!, "large")]));
console.log("");
console.log(figureTable(figures, `${sizeLabel(small.cases)} cases`, `${sizeLabel(large.cases)} cases`));
const failed = figures.filter((f) => !verdict(f).ok).length;
console.log(`\n${figures.length - failed} of ${figures.length} figures within ${WITHIN}× of the small database${failed ? ` (${failed} not)` : ""}; ${fmt((performance.now() - t0) / 60_000, 1)} min.`);
process.exit(0);
