/** Next calls this once when a server process starts: migrate, seed, start the worker and the demo. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { boot } = await import("./server/boot");
  await boot();
}
