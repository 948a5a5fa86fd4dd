import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest (measured on PGlite, where a file's time is mostly its own work), run
 * first. Without Vitest's cache of earlier durations (a fresh clone, CI) it runs larger files first,
 * and these are short files of long property runs: started last on one worker, they would run alone
 * at the end while the other worker sits idle. Everything else keeps Vitest's own order.
 */
const SLOW_FIRST = [
  "server/refresh/order-independence.test.ts",
  "dev/demo/run-demo.test.ts",
  "server/feed/feed-restart.test.ts",
  "server/exceptions/review-model.test.ts",
  "dev/simulator/post-stream.test.ts",
  "scripts/migrate.test.ts",
];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((suffix) => f.moduleId.endsWith(`/${suffix}`));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: files outside the list keep the order Vitest chose.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
