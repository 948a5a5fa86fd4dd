"use client";

import { useSyncExternalStore } from "react";

/**
 * Whether single-character shortcuts are on, per user (WCAG 2.1.4 "Character Key Shortcuts": they
 * can be turned off). Kept in localStorage under the signed-in user's id, so two people sharing a
 * browser keep their own choice; on by default.
 */
const PREFIX = "er:shortcuts:";
let userId: string | null = null;
const listeners = new Set<() => void>();

function key(): string {
  return `${PREFIX}${userId ?? "anonymous"}`;
}

function read(): boolean {
  try {
    return window.localStorage.getItem(key()) !== "off";
  } catch {
    return true;
  }
}

function notify() {
  for (const l of listeners) l();
}

/** The shell names the signed-in user once; the preference is read under that user's key. */
export function setShortcutUser(id: string | null): void {
  if (userId === id) return;
  userId = id;
  notify();
}

/** Read at key-press time by useHotkeys, so turning shortcuts off applies at once everywhere. */
export function shortcutsEnabled(): boolean {
  if (typeof window === "undefined") return false;
  return read();
}

export function setShortcutsEnabled(on: boolean): void {
  try {
    if (on) window.localStorage.removeItem(key());
    else window.localStorage.setItem(key(), "off");
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  notify();
}

function subscribe(l: () => void) {
  listeners.add(l);
  const onStorage = (e: StorageEvent) => e.key?.startsWith(PREFIX) && l();
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(l);
    window.removeEventListener("storage", onStorage);
  };
}

/** React view of the preference (re-renders when it changes, in this tab or another). */
export function useShortcutsEnabled(): boolean {
  return useSyncExternalStore(subscribe, shortcutsEnabled, () => true);
}
