"use client";

import { useQuery } from "@tanstack/react-query";
import { Badge, type Tone } from "@/components/ui/badges";
import { RelativeTime } from "@/components/ui/relative-time";
import { useTRPC } from "@/components/trpc/client";
import type { JobView } from "@/server/ops/jobs/jobs";

const STATUS_TONE: Record<string, Tone> = { queued: "slate", running: "blue", succeeded: "green", failed: "red" };
const live = (status: string) => status === "queued" || status === "running";

/** A job's progress bar; the numbers come from the Job row, so a reload shows the same bar. */
export function ProgressBar({ job }: { job: Pick<JobView, "id" | "status" | "done" | "total" | "label"> }) {
  const pct = job.total ? Math.round((job.done / job.total) * 100) : job.status === "succeeded" ? 100 : 0;
  const color = job.status === "failed" ? "bg-red-600" : job.status === "succeeded" ? "bg-emerald-600" : "bg-blue-600";
  return (
    <div className="flex items-center gap-3">
      <div
        role="progressbar"
        aria-label={job.label}
        aria-valuemin={0}
        aria-valuemax={job.total}
        aria-valuenow={job.done}
        aria-valuetext={`${job.done} of ${job.total} cases`}
        data-testid={`job-progress-${job.id}`}
        className="h-2.5 flex-1 overflow-hidden rounded-full bg-slate-200"
      >
        <div className={`h-full ${color} transition-[width] duration-300 ${job.status === "running" ? "animate-pulse" : ""}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="w-40 text-right text-xs tabular-nums text-slate-700">
        {job.status === "queued" ? "waiting to start" : `${job.done.toLocaleString("en-US")} / ${job.total.toLocaleString("en-US")} cases (${pct}%)`}
      </span>
    </div>
  );
}

/** One job as a card: what it does, who started it, its progress and, once done, what it found. */
export function JobCard({ job, children }: { job: JobView; children?: (job: JobView) => React.ReactNode }) {
  return (
    <article className="space-y-2 rounded-lg border border-slate-200 bg-white p-3" data-testid="job-card" data-job-id={job.id} data-status={job.status}>
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-900">{job.label}</h3>
        <span className="flex items-center gap-2 text-xs text-slate-600">
          <Badge tone={STATUS_TONE[job.status] ?? "slate"}>{job.status}</Badge>
          {job.createdByName} · <RelativeTime value={job.createdAt} />
        </span>
      </header>
      <ProgressBar job={job} />
      {job.error ? (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-2 py-1 text-sm text-red-900">
          {job.error}
        </p>
      ) : null}
      {children && job.status !== "queued" && job.status !== "running" ? children(job) : null}
    </article>
  );
}

/** Recent jobs of some kinds, refreshed every second while one of them is still queued or running. */
export function useJobs(kinds: JobView["kind"][], limit = 10) {
  const trpc = useTRPC();
  return useQuery(
    trpc.opsJobs.list.queryOptions(
      { kinds, limit },
      { refetchInterval: (q) => ((q.state.data ?? []).some((j) => live(j.status)) ? 1_000 : 10_000) },
    ),
  );
}

export function JobList({ kinds, empty, limit, children }: { kinds: JobView["kind"][]; empty: string; limit?: number; children?: (job: JobView) => React.ReactNode }) {
  const { data, error } = useJobs(kinds, limit);
  if (error) return <p role="alert" className="text-sm text-red-900">Could not load jobs: {error.message}</p>;
  if (!data) return <p className="text-sm text-slate-600">Loading jobs…</p>;
  if (!data.length) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <div className="space-y-2">
      {data.map((j) => (
        <JobCard key={j.id} job={j}>
          {children}
        </JobCard>
      ))}
    </div>
  );
}

/** Counts of refresh outcomes, in words. */
export function Outcomes({ outcomes }: { outcomes: Record<string, number> | undefined }) {
  const entries = Object.entries(outcomes ?? {}).filter(([, n]) => n > 0);
  if (!entries.length) return <span>no case needed a refresh</span>;
  const words: Record<string, string> = { applied: "got a new version", held: "with an open exception", no_change: "unchanged", waiting: "waiting for a ticket" };
  return <span>{entries.map(([k, n]) => `${n} ${words[k] ?? k}`).join(" · ")}</span>;
}
