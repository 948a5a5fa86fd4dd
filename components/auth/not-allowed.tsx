import Link from "next/link";
import { ROLE_LABEL, type Role } from "@/shared/roles";

/** Shown in place of a screen the signed-in role may not use. */
export function NotAllowed({ need, role }: { need: Role; role: Role }) {
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <div role="alert" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="not-allowed">
        <h1 className="text-lg font-semibold text-slate-900">This screen is for {ROLE_LABEL[need].toLowerCase()}s</h1>
        <p className="mt-2 text-sm text-slate-700">
          You are signed in as a {ROLE_LABEL[role].toLowerCase()}. If you need access, ask an admin to change your role.
        </p>
        <Link href="/records" className="mt-4 inline-block text-sm font-medium text-blue-800 underline underline-offset-2">
          Go to records
        </Link>
      </div>
    </main>
  );
}
