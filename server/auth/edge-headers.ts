/**
 * Headers the production server (scripts/start.mjs, scripts/edge-screen.mjs) sets on every request
 * after removing any copy the client sent: the client's address (the socket's peer, or behind a
 * trusted proxy the address it forwarded) and the app's public origin. Nothing else in the app
 * reads X-Forwarded-For or X-Forwarded-Host. scripts/edge-screen.test.ts checks the names match.
 */
export const CLIENT_ADDRESS_HEADER = "x-escalation-client-address";
export const PUBLIC_ORIGIN_HEADER = "x-escalation-public-origin";
