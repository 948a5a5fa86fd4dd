// Security headers for every response; must match server/auth/security-headers.ts (a test checks).
// Pages get their nonce CSP from proxy.ts, so the static CSP here is for API routes only.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  // Browsers ignore HSTS over plain http, so sending it from a production build is always safe.
  ...(process.env.NODE_ENV === "production" ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  compress: false,
  // Native, WebAssembly and file-reading packages run from node_modules instead of the bundle.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "@prisma/client",
    "pg",
    "pino",
    "prom-client",
    "rate-limiter-flexible",
    "standardwebhooks",
  ],
  // `next build` type-checks the whole project (tsconfig.json: app, server, tests) unless told not to.
  // npm test (scripts/test.mjs) has already run `next typegen` and `tsc --noEmit` over the same
  // program, Next's route types included, before it builds, and sets NEXT_SKIP_TYPECHECK=1 so the
  // build does not check it all a second time (it was half the build's time). Everyone else's
  // `npm run build` still checks.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === "1" },
  // forbidden() in server components: a page a role may not use answers HTTP 403 (app/forbidden.tsx).
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }] },
    ];
  },
};

export default nextConfig;
