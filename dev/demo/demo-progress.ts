/** Where the embedded demo stands, for /api/health's checks.demo (e2e tests wait for "done"). */
export interface DemoProgress {
  state: "pending" | "running" | "done" | "failed";
  posted: number;
  total: number;
  error?: string;
}

// Next bundles the instrumentation hook and each route separately: the state lives on globalThis.
const g = globalThis as unknown as { __errDemoProgress?: DemoProgress };

export function readDemoProgress(): DemoProgress | null {
  return g.__errDemoProgress ? { ...g.__errDemoProgress } : null;
}

export function setDemoProgress(p: DemoProgress): void {
  g.__errDemoProgress = { ...p };
}

export function updateDemoProgress(p: Partial<DemoProgress>): void {
  g.__errDemoProgress = { state: "pending", posted: 0, total: 0, ...g.__errDemoProgress, ...p };
}

export function clearDemoProgress(): void {
  delete g.__errDemoProgress;
}
