/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native, WebAssembly and file-reading packages run from node_modules instead of the bundle.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "@prisma/client",
    "pg",
    "pino",
    "rate-limiter-flexible",
    "standardwebhooks",
  ],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
