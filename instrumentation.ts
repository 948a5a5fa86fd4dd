/**
 * Next calls this once when a server process starts: migrate, seed, start the worker. The composition
 * root: with no DATABASE_URL (the embedded default) it also loads the development extensions in
 * `dev/` (the demo, the simulator's secrets file); a production start against PostgreSQL loads none.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (!process.env.DATABASE_URL) await import("./dev/embedded");
  const { boot } = await import("./server/boot");
  await boot();
}
