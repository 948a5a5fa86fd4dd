import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function RecordNotFound() {
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <EmptyState title="No record for this case" level={1}>
        <p>
          A record is made once the case&apos;s first ticket arrives. Events that came earlier wait in the{" "}
          <Link href="/events?status=waiting" className="font-medium text-blue-800 underline">
            event log
          </Link>{" "}
          until then.
        </p>
        <p className="mt-2">
          <Link href="/records" className="font-medium text-blue-800 underline">
            Back to records
          </Link>
        </p>
      </EmptyState>
    </main>
  );
}
