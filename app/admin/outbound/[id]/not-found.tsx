import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function EndpointNotFound() {
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <EmptyState title="No such endpoint" level={1}>
        It may have been deleted.{" "}
        <Link href="/admin/outbound" className="font-medium text-blue-800 underline">
          All endpoints
        </Link>
      </EmptyState>
    </main>
  );
}
