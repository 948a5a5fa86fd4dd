// `npm run bench`: both benchmarks, each printing its figures beside its same-run baseline.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
for (const script of ["bench/intake.ts", "bench/refresh.ts"]) {
  const r = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", script, ...args], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
