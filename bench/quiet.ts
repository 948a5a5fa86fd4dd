// Imported first by the benchmarks that run the engine in their own process: its per-delivery and
// per-refresh info lines (server/lib/log.ts) would flood the figures. Servers they start get the
// same level from bench/lib.ts.
process.env.LOG_LEVEL ??= "warn";
