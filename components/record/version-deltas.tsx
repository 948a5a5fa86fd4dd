"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTRPC } from "@/components/trpc/client";
import { DeltaView, type ConflictMark } from "./delta-view";

/** The stored delta trace of one version. */
export function VersionDelta({ caseId, version, conflicts, showConflictCallout, onField }: { caseId: string; version: number; conflicts: ConflictMark[]; showConflictCallout?: boolean; onField: (p: string, v: number) => void }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.records.version.queryOptions({ caseId, version }));
  return (
    <DeltaView
      delta={data.delta}
      after={{ version: data.version, record: data.record, lineage: data.lineage }}
      beforeLabel={data.status === "held" ? "current" : "previous"}
      afterLabel={`v${data.version}${data.status === "held" ? " (held)" : ""}`}
      summary={data.summary}
      conflicts={conflicts}
      showConflictCallout={showConflictCallout}
      onField={onField}
    />
  );
}

/** Any two versions, diffed with the engine's own rules. */
export function CompareDelta({ caseId, from, to, conflicts, showConflictCallout, onField }: { caseId: string; from: number; to: number; conflicts: ConflictMark[]; showConflictCallout?: boolean; onField: (p: string, v: number) => void }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.records.compare.queryOptions({ caseId, from, to }));
  const summary = useMemo(() => {
    const n = data.delta.length;
    return `${n} field${n === 1 ? " differs" : "s differ"} between v${from} (${data.from.status}) and v${to} (${data.to.status}).`;
  }, [data, from, to]);
  return (
    <DeltaView
      delta={data.delta}
      after={{ version: data.to.version, record: data.to.record, lineage: data.to.lineage }}
      beforeLabel={`v${from}`}
      afterLabel={`v${to}${data.to.status === "held" ? " (held)" : ""}`}
      summary={summary}
      conflicts={conflicts}
      showConflictCallout={showConflictCallout}
      onField={onField}
    />
  );
}
