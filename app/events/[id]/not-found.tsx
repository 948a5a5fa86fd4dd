import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function EventNotFound() {
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <EmptyState title="No such event">
        Refused deliveries are never stored as events; look under{" "}
        <Link href="/events?tab=refusals" className="font-medium text-blue-800 underline">
          Refused deliveries
        </Link>
        .
      </EmptyState>
    </main>
  );
}
