/**
 * Tables that stack into cards below 768 px, so nothing scrolls sideways on a phone: the header row
 * becomes screen-reader-only, every row a card and every cell a line of it with its column's name
 * shown beside it (`CellLabel`). At 768 px and wider they are ordinary tables.
 *
 *   <table className={stack.table}>
 *     <thead className={`… ${stack.thead}`}>…</thead>
 *     <tbody className={stack.tbody}>
 *       <tr className={`… ${stack.row}`}>
 *         <td className={stack.cell}><CellLabel>Code</CellLabel>{code}</td>
 *         <td className={`${stack.cell} ${stack.end}`}>…</td>      (right-aligned on wide screens)
 *         <td className={`${stack.inline} ${stack.end}`}>…</td>    (counts: side by side in the card)
 *       </tr>
 *       <tr className={stack.row}><td colSpan={n} className={`px-3 py-3 ${stack.block}`}>…</td></tr>  (a panel row)
 */
export const stack = {
  table: "min-w-full text-sm max-md:block",
  thead: "max-md:sr-only",
  tbody: "max-md:block",
  /** A row: a card, its cells one below the other. */
  row: "max-md:block max-md:py-2",
  /** A cell: a line of the card. Long unbroken values (paths, ids) wrap instead of widening it. */
  cell: "px-3 py-2 max-md:block max-md:py-1 max-md:break-words",
  /** A short cell (a count): cells with this class sit side by side in the card. */
  inline: "px-3 py-2 max-md:inline-block max-md:py-1",
  /** Right-aligned on wide screens, left-aligned in the card. */
  end: "text-right max-md:text-left",
  /** A cell that must not wrap on wide screens but may in the card. */
  nowrap: "whitespace-nowrap max-md:whitespace-normal",
  /** A block element (a full-width panel row or cell) in the card layout. */
  block: "max-md:block",
} as const;

/** The column's name beside a cell's value, shown only when the table is stacked (screen readers use the header). */
export function CellLabel({ children }: { children: string }) {
  return (
    <span className="mr-2 text-xs font-medium uppercase tracking-wide text-slate-500 md:hidden" aria-hidden="true">
      {children}
    </span>
  );
}
