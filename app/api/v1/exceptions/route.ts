import { readRoute } from "@/server/api/read-route";
import { exceptionQuery, listExceptions } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

export const GET = readRoute((db, url) =>
  listExceptions(db, exceptionQuery.parse(Object.fromEntries([...url.searchParams].filter(([, v]) => v !== "")))),
);
