import { PageHeader } from "@/components/ui/page-header";
import { Skeleton, TableSkeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
      <PageHeader title="Events" description="The intake stream, newest first: what each delivery was and which versions it produced." />
      <Skeleton className="h-8 w-full max-w-3xl" />
      <TableSkeleton rows={12} columns={6} label="Loading events" />
    </main>
  );
}
