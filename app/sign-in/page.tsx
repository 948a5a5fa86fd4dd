import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SessionActions } from "@/components/auth/session-actions";
import { SignInForm, type DemoAccount } from "@/components/auth/sign-in-form";
import { AdminEnvError, needsSetup } from "@/server/auth/bootstrap";
import { safeNextPath } from "@/server/auth/next-path";
import { getPageUser } from "@/server/auth/page-guard";
import { ROLE_LABEL } from "@/server/auth/roles";
import { DEMO_PASSWORD, DEMO_USERS } from "@/server/auth/users";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Demo accounts are listed only when this is the embedded demo and they exist. */
async function demoAccounts(): Promise<DemoAccount[] | null> {
  const rt = await getRuntime();
  if (rt.handle.kind !== "pglite" || rt.env.DEMO !== "on") return null;
  const rows = await rt.db.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) }, disabledAt: null }, select: { email: true, name: true, role: true } });
  const order = new Map(DEMO_USERS.map((u, i) => [u.email, i]));
  return rows.sort((a, b) => order.get(a.email)! - order.get(b.email)!);
}

export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const sp = await searchParams;
  const next = safeNextPath(one(sp.next), "/records");
  const rt = await getRuntime();
  let configProblem: string | null = null;
  try {
    if (await needsSetup(rt.db)) redirect("/sign-in/setup");
  } catch (err) {
    if (!(err instanceof AdminEnvError)) throw err;
    configProblem = err.message;
  }
  const user = await getPageUser();
  const demo = await demoAccounts();
  const notice =
    one(sp["signed-out"]) === "everywhere"
      ? "You are signed out on every browser and device."
      : one(sp["signed-out"])
        ? "You are signed out."
        : one(sp.setup) === "done"
          ? "Your admin account is ready. Sign in with it."
          : null;

  return (
    <main className="mx-auto flex min-h-[calc(100vh-3rem)] max-w-md flex-col justify-center px-4 py-10">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600">Escalation records: current, traceable case records for premium support.</p>
        {notice ? (
          <p role="status" className="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            {notice}
          </p>
        ) : null}
        {configProblem ? (
          <p role="alert" className="mt-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
            {configProblem}
          </p>
        ) : null}
        {user ? (
          <div className="mt-6 space-y-4" data-testid="already-signed-in">
            <p className="text-sm text-slate-800">
              You are signed in as <strong>{user.name}</strong> ({ROLE_LABEL[user.role]}).
            </p>
            <Link href={next} className="inline-flex rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white hover:bg-blue-800">
              Continue
            </Link>
            <SessionActions />
            <details className="group border-t border-slate-200 pt-4">
              <summary className="cursor-pointer text-sm font-medium text-blue-800">Sign in as someone else</summary>
              <div className="mt-4">
                <SignInForm next={next} demo={demo ? { accounts: demo, password: DEMO_PASSWORD } : null} autoFocus={false} />
              </div>
            </details>
          </div>
        ) : (
          <div className="mt-6">
            <SignInForm next={next} demo={demo ? { accounts: demo, password: DEMO_PASSWORD } : null} />
          </div>
        )}
      </div>
      <p className="mt-4 text-center text-xs text-slate-500">Sessions end after 12 hours. Five wrong passwords lock an account for 15 minutes.</p>
    </main>
  );
}
