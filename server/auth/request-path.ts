/** Set by proxy.ts on every page request, so a server component knows where to come back to after sign-in. */
export const REQUEST_PATH_HEADER_NAME = "x-request-path";
