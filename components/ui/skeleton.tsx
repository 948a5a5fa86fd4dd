/** Grey blocks the size of what is loading, so nothing jumps when it arrives. */
export function Skeleton({ className = "" }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded bg-slate-200/80 ${className}`} />;
}

export function TableSkeleton({ rows = 10, columns = 6, label = "Loading" }: { rows?: number; columns?: number; label?: string }) {
  return (
    <div role="status" aria-live="polite" className="overflow-hidden rounded-lg border border-slate-200 bg-white">
      <span className="sr-only">{label}…</span>
      <div className="flex gap-4 border-b border-slate-200 bg-slate-50 px-3 py-2.5">
        {Array.from({ length: columns }, (_, i) => (
          <Skeleton key={i} className="h-3.5 flex-1" />
        ))}
      </div>
      {Array.from({ length: rows }, (_, r) => (
        <div key={r} className="flex h-[49px] items-center gap-4 border-b border-slate-100 px-3 last:border-0">
          {Array.from({ length: columns }, (_, i) => (
            <Skeleton key={i} className={`h-3.5 flex-1 ${i === 0 ? "max-w-[7rem]" : ""}`} />
          ))}
        </div>
      ))}
    </div>
  );
}

export function BlockSkeleton({ lines = 6, label = "Loading" }: { lines?: number; label?: string }) {
  return (
    <div role="status" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <span className="sr-only">{label}…</span>
      <Skeleton className="h-5 w-1/3" />
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} className={`h-3.5 ${i % 3 === 2 ? "w-2/3" : "w-full"}`} />
      ))}
    </div>
  );
}
