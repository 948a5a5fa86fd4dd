"use client";

import { useEffect, useRef } from "react";
import { shortcutsEnabled } from "./shortcut-prefs";

export type HotkeyMap = Record<string, (event: KeyboardEvent) => void>;

/** True when the key press belongs to a form control, so single-letter shortcuts stay out of the way. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "reset"].includes(type);
  }
  // A listbox/combobox/textbox built from other elements types too.
  const role = target.getAttribute("role");
  return role === "textbox" || role === "combobox" || role === "searchbox" || role === "spinbutton";
}

/** True when a modal dialog is open and the key press comes from outside it. */
function outsideOpenModal(target: EventTarget | null): boolean {
  const open = document.querySelector("dialog[open]");
  return !!open && !(target instanceof Node && open.contains(target));
}

/** A single printable character ("j", "c", "?", "/"): these are what a user can turn off. */
export function isCharacterKey(key: string): boolean {
  return key.length === 1;
}

/**
 * Keyboard shortcuts on the document. Ignored while typing in a form control, with a modifier
 * held (browser shortcuts keep working), while a modal dialog is open elsewhere, and, for
 * single-character keys, when the signed-in user turned shortcuts off (WCAG 2.1.4).
 */
export function useHotkeys(map: HotkeyMap, enabled = true): void {
  const ref = useRef(map);
  useEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || outsideOpenModal(e.target)) return;
      const handler = ref.current[e.key];
      if (!handler) return;
      if (isCharacterKey(e.key) && !shortcutsEnabled()) return;
      handler(e);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [enabled]);
}
