import type { Runtime } from "../runtime";

export function scheduleDemo(rt: Runtime): void {
  void rt;
}
