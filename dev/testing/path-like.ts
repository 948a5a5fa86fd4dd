/**
 * Tokens that betray a JSON path in text meant for people (docs/domain.md: summaries and messages use
 * the tables' labels; paths stay in the API): a pointer such as "/case/declaredTier", a dotted path
 * with a list position such as "incidents.0.severity", a dotted record field such as
 * "entitlement.slaMinutes", or a bare position such as "#2". Values a source sent (a URI, a version
 * number like 2026.10.1) do not match: a pointer must start the text or follow a space or bracket.
 */
export const PATH_LIKE = /(^|[\s(“"'])\/[A-Za-z][\w~-]*\/[\w~-]+|\b[A-Za-z]\w*\.\d+(\.[A-Za-z]\w*)?\b|\b(case|entitlement|incidents|artifacts|notes|environment|reproduction|approvedLogs)\.[A-Za-z]|#\d+\b/;

/** The path-like tokens of a text, for a failure message that shows them. */
export function pathLikeTokens(text: string): string[] {
  const global = new RegExp(PATH_LIKE.source, "g");
  return [...text.matchAll(global)].map((m) => m[0].trim());
}
