import { openApiJson } from "@/server/api/openapi";
import { route } from "@/server/lib/http";

export const dynamic = "force-dynamic";

/** GET /api/openapi.json: the OpenAPI 3.1 document of docs/api.md (server/api/openapi.ts); public, the same for a process's life. */
export const GET = route(async () => {
  return new Response(openApiJson(), {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300" },
  });
});
