// Imported first by the app's processes (scripts/start.mjs, scripts/worker.ts), before anything
// allocates. V8 lets a heap grow to up to 4× what survived its last full collection before it
// collects again; these processes keep little alive (the app about 75 MB) and make garbage fast
// (every delivery, read and refresh), so the app's heap sat at 300-370 MB of mostly garbage and
// the process at 700+ MB on the embedded database. At 1.5× a full collection comes sooner (each
// takes a few milliseconds on a heap this size, its marking mostly off the main thread) and the
// heap stays near what it holds (docs/faults.md, "The JavaScript heap").
import v8 from "node:v8";

v8.setFlagsFromString("--heap-growing-percent=50");
