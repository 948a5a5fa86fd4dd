import Link from "next/link";
import { getServerContext, isDatabaseUnavailable } from "@/server/trpc/server";
import { ROLE_LABEL } from "@/shared/roles";
import { OutboundNotice } from "@/components/notify/outbound-notice";
import { ConnectionBanner } from "./connection-banner";
import { NavLinks } from "./nav-links";
import { ShortcutsHelp } from "./shortcuts-help";
import { SignOutButton } from "./sign-out-button";

/** Top navigation with the signed-in user; signed out (the sign-in page) only the product name. */
export async function AppShell({ children }: { children: React.ReactNode }) {
  // With the database away the shell still renders (the page below says what is wrong).
  const { user, databaseDown } = await getServerContext().then(
    (ctx) => ({ user: ctx.user, databaseDown: false }),
    (err: unknown) => {
      if (isDatabaseUnavailable(err)) return { user: null, databaseDown: true };
      throw err;
    },
  );
  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="z-30 border-b border-slate-800 bg-slate-900 text-slate-100 md:sticky md:top-0 print:hidden">
        <div className="mx-auto flex max-w-[1600px] flex-wrap items-center gap-x-6 gap-y-1 px-4 py-2">
          <Link href="/records" className="flex items-center gap-2 py-1 text-sm font-semibold tracking-tight text-white">
            <span aria-hidden="true" className="grid h-6 w-6 place-items-center rounded bg-blue-600 text-xs font-bold">
              ER
            </span>
            Escalation records
          </Link>
          {user ? (
            <>
              <NavLinks isAdmin={user.role === "admin"} />
              <div className="ml-auto flex items-center gap-3 text-sm">
                <ShortcutsHelp userId={user.id} />
                <span className="hidden text-slate-300 sm:inline" data-testid="signed-in-user">
                  <span className="font-medium text-white">{user.name}</span>
                  <span className="ml-2 rounded bg-slate-700 px-1.5 py-0.5 text-xs text-slate-100">{ROLE_LABEL[user.role]}</span>
                </span>
                <SignOutButton />
              </div>
            </>
          ) : databaseDown ? (
            <span role="status" className="ml-auto rounded bg-amber-400 px-2 py-0.5 text-xs font-medium text-slate-950">
              Database unavailable
            </span>
          ) : (
            <Link href="/sign-in" className="ml-auto text-sm text-slate-200 underline-offset-2 hover:underline">
              Sign in
            </Link>
          )}
        </div>
        {user ? <ConnectionBanner /> : null}
      </header>
      {user?.role === "admin" ? <OutboundNotice /> : null}
      <div id="main" tabIndex={-1} className="outline-none">
        {children}
      </div>
    </>
  );
}
