import type { Runtime } from "./runtime";

/**
 * What the runtime lets code outside `server/` add without `server/` importing it: the embedded
 * demo and the simulator's secrets file (`dev/embedded.ts`) register here, and the composition root
 * (`instrumentation.ts`) loads them only for the embedded default. A production start against
 * PostgreSQL loads none of them (docs/architecture.md, "Layout").
 */
export interface RuntimeExtension {
  name: string;
  /** Runs once the runtime is ready (migrated, seeded, worker started), in the serving process only. */
  started?(rt: Runtime): Promise<void> | void;
  /** Informational entries for the authenticated health answer; never make the service unhealthy. */
  healthChecks?(): Record<string, unknown>;
}

const g = globalThis as unknown as { __errExtensions?: Map<string, RuntimeExtension> };

function registry(): Map<string, RuntimeExtension> {
  g.__errExtensions ??= new Map();
  return g.__errExtensions;
}

/** Registers (or replaces, by name) an extension. */
export function registerExtension(extension: RuntimeExtension): void {
  registry().set(extension.name, extension);
}

export function extensions(): RuntimeExtension[] {
  return [...registry().values()];
}
