import type { RequestMeta } from "./sign-in";
import { sessionTokenOf } from "./session";

export function clientAddress(headers: Headers): string | null {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip")?.trim() || null;
}

export function requestMeta(req: Request): RequestMeta {
  return { ip: clientAddress(req.headers), userAgent: req.headers.get("user-agent"), presentedToken: sessionTokenOf(req.headers) };
}
