import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SetupForm } from "@/components/auth/setup-form";
import { needsSetup } from "@/server/auth/bootstrap";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "First admin" };

/** Open only while the database has no user at all; afterwards it sends everyone to /sign-in. */
export default async function SetupPage() {
  const rt = await getRuntime();
  if (!(await needsSetup(rt.db))) redirect("/sign-in");
  return (
    <main className="mx-auto flex min-h-[calc(100vh-3rem)] max-w-md flex-col justify-center px-4 py-10">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">Create the first admin</h1>
        <p className="mt-1 text-sm text-slate-600">
          This database has no users yet. The account you create here can add everyone else. This page closes as soon as it exists.
        </p>
        <p className="mt-2 text-xs text-slate-500">
          To skip this step, start the server with <code className="font-mono">ADMIN_EMAIL</code> and <code className="font-mono">ADMIN_PASSWORD</code> set.
        </p>
        <div className="mt-6">
          <SetupForm />
        </div>
      </div>
    </main>
  );
}
