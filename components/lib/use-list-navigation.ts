"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useHotkeys } from "./use-hotkeys";

/**
 * j/k through the rows of a list, Enter to open the active one, extra keys (x, c) acting on it.
 * The active row is held by its id, not its position: when a refresh removes or reorders rows,
 * Enter and the extra keys never fall onto whatever row now sits at the old position. A row that
 * left the list leaves its position behind only as the place j/k continue from.
 *
 * Extra keys act only while the focus is inside the active row, so a stray key with the focus
 * elsewhere does nothing. Rows register their element; the active row's `[data-row-primary]`
 * link or button takes focus, so the focus ring shows where you are.
 */
export function useListNavigation(ids: readonly string[], onOpen: (index: number) => void, extra: Record<string, (index: number) => void> = {}) {
  const [activeId, setActiveId] = useState<string | null>(null);
  const lastIndex = useRef(-1);
  const rows = useRef(new Map<string, HTMLElement>());
  const openRef = useRef(onOpen);
  const extraRef = useRef(extra);
  const idsRef = useRef(ids);
  useEffect(() => {
    openRef.current = onOpen;
    extraRef.current = extra;
    idsRef.current = ids;
  });
  const active = activeId === null ? -1 : ids.indexOf(activeId);
  if (active >= 0) lastIndex.current = active;

  const focusRow = useCallback((id: string) => {
    const row = rows.current.get(id);
    if (!row) return;
    const target = row.querySelector<HTMLElement>("[data-row-primary]") ?? row;
    target.focus();
    row.scrollIntoView({ block: "nearest" });
  }, []);

  const move = (delta: number) => {
    const list = idsRef.current;
    if (!list.length) return;
    let next: number;
    if (active >= 0) next = active + delta;
    else if (lastIndex.current >= 0)
      // The active row left the list: the row now at its position is the next one down.
      next = delta > 0 ? lastIndex.current : lastIndex.current - 1;
    else next = delta > 0 ? 0 : list.length - 1;
    next = Math.min(list.length - 1, Math.max(0, next));
    const id = list[next]!;
    setActiveId(id);
    lastIndex.current = next;
    focusRow(id);
  };

  /** The active row, only while the focus is inside it. */
  const focusedActive = (e: KeyboardEvent): number => {
    if (active < 0) return -1;
    const row = rows.current.get(ids[active]!);
    return row && e.target instanceof Node && row.contains(e.target) ? active : -1;
  };

  const keys: Record<string, (e: KeyboardEvent) => void> = {
    j: (e) => {
      e.preventDefault();
      move(1);
    },
    k: (e) => {
      e.preventDefault();
      move(-1);
    },
    Enter: (e) => {
      // A focused link or button already handles Enter itself.
      if (e.target instanceof HTMLAnchorElement || e.target instanceof HTMLButtonElement) return;
      const i = focusedActive(e);
      if (i < 0) return;
      e.preventDefault();
      openRef.current(i);
    },
  };
  for (const key of Object.keys(extra)) {
    keys[key] = (e) => {
      const i = focusedActive(e);
      if (i < 0) return;
      e.preventDefault();
      extraRef.current[key]?.(i);
    };
  }
  useHotkeys(keys);

  /** `ref={nav.register(row.id)}` on each row. */
  const register = useCallback(
    (id: string) => (el: HTMLElement | null) => {
      if (el) rows.current.set(id, el);
      else rows.current.delete(id);
    },
    [],
  );
  /** Keeps the active row in step when the user clicks or tabs into a row. */
  const onRowFocus = useCallback(
    (i: number) => () => {
      const id = idsRef.current[i];
      if (id === undefined) return;
      setActiveId(id);
      lastIndex.current = i;
    },
    [],
  );
  return { active, activeId: active >= 0 ? activeId : null, register, onRowFocus };
}
