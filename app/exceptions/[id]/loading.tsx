import { BlockSkeleton, Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
      <Skeleton className="h-4 w-40" />
      <Skeleton className="h-7 w-1/2" />
      <Skeleton className="h-10 w-full" />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <BlockSkeleton lines={12} label="Loading exception" />
        <BlockSkeleton lines={6} label="Loading actions" />
      </div>
    </main>
  );
}
