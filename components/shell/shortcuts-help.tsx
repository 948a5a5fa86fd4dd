"use client";

import { useEffect, useRef } from "react";
import { Kbd } from "../ui/kbd";
import { useHotkeys } from "../lib/use-hotkeys";
import { setShortcutsEnabled, setShortcutUser, useShortcutsEnabled } from "../lib/shortcut-prefs";

const SHORTCUTS: [string[], string][] = [
  [["j"], "Next row"],
  [["k"], "Previous row"],
  [["Enter"], "Open the selected row"],
  [["/"], "Search or filter"],
  [["x"], "Select the row (exceptions)"],
  [["c"], "Claim / unclaim (exceptions)"],
  [["a"], "Approve (exception page)"],
  [["r"], "Reject (exception page)"],
  [["o"], "Override a field (exception page)"],
  [["Esc"], "Close a panel"],
  [["?"], "This help"],
];

/**
 * "?" opens the list of keyboard shortcuts, where the signed-in user can turn single-key
 * shortcuts off (WCAG 2.1.4); the choice is kept per user (components/lib/shortcut-prefs.ts).
 */
export function ShortcutsHelp({ userId }: { userId: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const enabled = useShortcutsEnabled();
  useEffect(() => setShortcutUser(userId), [userId]);
  useHotkeys({ "?": () => (ref.current?.open ? ref.current.close() : ref.current?.showModal()) });
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const onClick = (e: MouseEvent) => {
      if (e.target === d) d.close();
    };
    d.addEventListener("click", onClick);
    return () => d.removeEventListener("click", onClick);
  }, []);
  return (
    <>
      <button type="button" onClick={() => ref.current?.showModal()} className="hidden rounded px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 hover:text-white md:inline-flex" aria-haspopup="dialog">
        Shortcuts {enabled ? <span className="ml-1.5 text-slate-400">?</span> : <span className="ml-1.5 text-slate-400">off</span>}
      </button>
      <dialog ref={ref} aria-labelledby="shortcuts-title" className="m-auto w-[22rem] rounded-lg border border-slate-300 p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40">
        <div className="flex items-center justify-between border-b border-slate-200 px-4 py-3">
          <h2 id="shortcuts-title" className="text-sm font-semibold">
            Keyboard shortcuts
          </h2>
          <form method="dialog">
            <button className="rounded px-2 py-1 text-sm text-slate-700 hover:bg-slate-100">Close</button>
          </form>
        </div>
        <label className="flex items-start gap-2 border-b border-slate-200 px-4 py-3 text-sm">
          <input type="checkbox" className="mt-0.5 h-4 w-4" checked={enabled} onChange={(e) => setShortcutsEnabled(e.target.checked)} data-testid="shortcuts-toggle" />
          <span>
            <span className="font-medium">Single-key shortcuts</span>
            <span className="block text-xs text-slate-600">Letter keys act on the focused row or page. They never fire while you type in a field. Turn them off if you use speech input or press keys by accident; Enter and Esc keep working.</span>
          </span>
        </label>
        <dl className={`grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 px-4 py-3 text-sm ${enabled ? "" : "opacity-50"}`}>
          {SHORTCUTS.map(([keys, what]) => (
            <div key={what} className="contents">
              <dt>
                {keys.map((k) => (
                  <Kbd key={k}>{k}</Kbd>
                ))}
              </dt>
              <dd className="text-slate-700">{what}</dd>
            </div>
          ))}
        </dl>
      </dialog>
    </>
  );
}
