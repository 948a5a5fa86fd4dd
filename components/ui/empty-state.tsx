/** `level` 1 when the empty state is the whole page (a case with no record): the page still has its one h1. */
export function EmptyState({ title, children, level = 2 }: { title: string; children?: React.ReactNode; level?: 1 | 2 }) {
  const Heading = level === 1 ? "h1" : "h2";
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
      <Heading className="text-base font-semibold text-slate-900">{title}</Heading>
      {children ? <div className="mx-auto mt-2 max-w-2xl text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}
