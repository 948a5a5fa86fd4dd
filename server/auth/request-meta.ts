import { CLIENT_ADDRESS_HEADER } from "./edge-headers";
import type { RequestMeta } from "./sign-in";
import { sessionTokenOf } from "./session";

/** The client's address as the production server established it (never a client-sent X-Forwarded-For); null when unknown (next dev, tests). */
export function clientAddress(headers: Headers): string | null {
  return headers.get(CLIENT_ADDRESS_HEADER)?.trim() || null;
}

export function requestMeta(req: Request): RequestMeta {
  return { ip: clientAddress(req.headers), userAgent: req.headers.get("user-agent"), presentedToken: sessionTokenOf(req.headers) };
}
