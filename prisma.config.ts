import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI wants a schema-engine binary even for `generate`, and cannot download one here.
// `generate` never runs it, so any existing file satisfies the check (TOOLCHAIN.md).
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const fallback = path.resolve("node_modules/prisma/package.json");
  if (existsSync(fallback)) process.env.PRISMA_SCHEMA_ENGINE_BINARY = fallback;
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unused" },
});
