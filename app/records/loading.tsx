import { PageHeader } from "@/components/ui/page-header";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
      <PageHeader title="Records" description="Every current escalation record, newest refresh first." />
      <Skeleton className="h-8 w-full max-w-4xl" />
      <TableSkeleton rows={12} columns={8} label="Loading records" />
    </main>
  );
}
