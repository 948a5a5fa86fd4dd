import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", ".data/", "server/db/generated/", "test-results/", "playwright-report/", "next-env.d.ts", "bench-results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", fetch: "readonly", setTimeout: "readonly", clearTimeout: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  {
    // The client/server boundary (docs/architecture.md): components/ takes types from server/, and
    // values only through server/trpc/server.tsx, the server components' door (itself "server-only",
    // so a client component that imports it fails the build). Values both sides need live in shared/.
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?:@/|(?:\\.\\./)+)server/(?!trpc/server$)",
              allowTypeImports: true,
              message: "components/ may import only types from server/; move a value both sides need to shared/ (server components: server/trpc/server.tsx).",
            },
          ],
        },
      ],
    },
  },
  {
    // shared/ is plain TypeScript for both sides: nothing from the server, the UI or Node.
    files: ["shared/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(?:@/|(?:\\.\\./)+)(?:server|components|app|dev)/|^node:|^server-only$", message: "shared/ must not depend on server/, components/, app/, dev/ or Node: both sides import it." }] },
      ],
    },
  },
);
