import { PageHeader } from "@/components/ui/page-header";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
      <PageHeader title="Exceptions" description="Refreshes a rule stopped: claim one, weigh the evidence, then approve, reject or override." />
      <Skeleton className="h-8 w-full max-w-2xl" />
      <TableSkeleton rows={10} columns={6} label="Loading exceptions" />
    </main>
  );
}
