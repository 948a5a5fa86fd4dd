import { PageHeader } from "@/components/ui/page-header";
import { BlockSkeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-[1600px] space-y-3 px-4 py-4">
      <PageHeader title="Dashboard" description="How the refresh is keeping up: intake, outcomes, exceptions, latency and backlog." />
      <BlockSkeleton lines={10} label="Loading dashboard" />
    </main>
  );
}
