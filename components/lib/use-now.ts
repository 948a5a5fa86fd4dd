"use client";

import { useSyncExternalStore } from "react";

/** One shared clock for every relative time on the page, ticking every 15 seconds. */
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 15_000);
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** Rounded so repeated calls within one render agree; the text is hydration-tolerant anyway. */
const serverNow = () => Math.floor(Date.now() / 10_000) * 10_000;

export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now, serverNow);
}
