export function Kbd({ children }: { children: React.ReactNode }) {
  return (
    <kbd className="inline-flex min-w-[1.25rem] items-center justify-center rounded border border-slate-300 bg-white px-1 font-mono text-[11px] leading-4 text-slate-700 shadow-[0_1px_0_#cbd5e1]">
      {children}
    </kbd>
  );
}
