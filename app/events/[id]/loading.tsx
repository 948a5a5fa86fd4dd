import { BlockSkeleton, Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
      <Skeleton className="h-4 w-40" />
      <Skeleton className="h-7 w-1/3" />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,26rem)_minmax(0,1fr)]">
        <BlockSkeleton lines={10} label="Loading event" />
        <BlockSkeleton lines={14} label="Loading body" />
      </div>
    </main>
  );
}
