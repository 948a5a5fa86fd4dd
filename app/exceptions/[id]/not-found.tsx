import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function ExceptionNotFound() {
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <EmptyState title="No such exception">
        <Link href="/exceptions" className="font-medium text-blue-800 underline">
          Back to the exception queue
        </Link>
      </EmptyState>
    </main>
  );
}
