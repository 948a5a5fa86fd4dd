"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useHotkeys } from "./use-hotkeys";

/**
 * j/k through the rows of a list, Enter to open the active one. Rows register their element; the
 * active row's first link or button takes focus, so the focus ring shows where you are and Enter
 * and Space keep their native meaning.
 */
export function useListNavigation(count: number, onOpen: (index: number) => void, extra: Record<string, (index: number) => void> = {}) {
  const [active, setActive] = useState(-1);
  const rows = useRef<(HTMLElement | null)[]>([]);
  const openRef = useRef(onOpen);
  const extraRef = useRef(extra);
  useEffect(() => {
    openRef.current = onOpen;
    extraRef.current = extra;
  });

  const focusRow = useCallback((i: number) => {
    const row = rows.current[i];
    if (!row) return;
    const target = row.querySelector<HTMLElement>("[data-row-primary]") ?? row;
    target.focus();
    row.scrollIntoView({ block: "nearest" });
  }, []);

  const move = useCallback(
    (delta: number) => {
      if (!count) return;
      setActive((cur) => {
        const next = cur < 0 ? (delta > 0 ? 0 : count - 1) : Math.min(count - 1, Math.max(0, cur + delta));
        focusRow(next);
        return next;
      });
    },
    [count, focusRow],
  );

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
      if (active >= 0 && active < count) {
        e.preventDefault();
        openRef.current(active);
      }
    },
  };
  for (const key of Object.keys(extra)) {
    keys[key] = (e) => {
      if (active < 0 || active >= count) return;
      e.preventDefault();
      extraRef.current[key]?.(active);
    };
  }
  useHotkeys(keys);

  const register = useCallback(
    (i: number) => (el: HTMLElement | null) => {
      rows.current[i] = el;
    },
    [],
  );
  /** Keeps the active row in step when the user clicks or tabs into a row. */
  const onRowFocus = useCallback((i: number) => () => setActive(i), []);
  return { active: active < count ? active : -1, setActive, register, onRowFocus };
}
