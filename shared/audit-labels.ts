/**
 * What an audit entry's action and target are called on screen. The codes ("policy.set",
 * "outbound_endpoint") stay in the API, the filters' URLs and a title for admins who script
 * against them; people read these words.
 */
export const AUDIT_ACTION_LABEL: Record<string, string> = {
  "api_token.create": "Read-API token created",
  "api_token.revoke": "Read-API token revoked",
  "auth.locked_out": "Locked out after failed sign-ins",
  "auth.revoke_session": "Session ended",
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "auth.sign_out_everywhere": "Signed out everywhere",
  "auth.sign_out_others": "Signed out other sessions",
  "demo.complete": "Demo data loaded",
  "demo.start": "Demo data started loading",
  "event.quarantine": "Event quarantined",
  "exception.approve": "Exception approved",
  "exception.reject": "Exception rejected",
  "exception.override": "Exception resolved by override",
  "exception.assign": "Exception assigned",
  "exception.claim": "Exception claimed",
  "exception.unclaim": "Exception released",
  "exception_sla.set": "Exception SLA changed",
  "outbound_delivery.redeliver": "Notification sent again",
  "outbound_delivery.retry_now": "Notification retried now",
  "outbound_endpoint.auto_disable": "Endpoint paused after failures",
  "outbound_endpoint.create": "Endpoint added",
  "outbound_endpoint.delete": "Endpoint deleted",
  "outbound_endpoint.disable": "Endpoint paused",
  "outbound_endpoint.enable": "Endpoint resumed",
  "outbound_endpoint.dismiss_notice": "Endpoint notice dismissed",
  "outbound_endpoint.rotate_secret": "Endpoint secret rotated",
  "outbound_endpoint.test": "Endpoint tested",
  "outbound_endpoint.update": "Endpoint changed",
  "policy.default": "Default overwrite policy changed",
  "policy.set": "Overwrite policy changed",
  "record.override": "Field overridden",
  "record.override_lapsed": "Field override lapsed",
  "reference.product.create": "Product added",
  "reference.product.update": "Product renamed",
  "reference.product_alias.add": "Product alias added",
  "reference.product_alias.remove": "Product alias removed",
  "reference.tier.create": "Service tier added",
  "reference.tier.update": "Service tier changed",
  "reference.tier_alias.add": "Service tier alias added",
  "reference.tier_alias.remove": "Service tier alias removed",
  "replay.request": "Replay requested",
  "schema.draft": "Schema draft started",
  "schema.draft_discard": "Schema draft discarded",
  "schema.draft_save": "Schema draft saved",
  "schema.field_define": "Schema field defined",
  "schema.field_remove": "Schema field removed",
  "schema.publish": "Schema published",
  "source.disable": "Source disabled",
  "source.enable": "Source enabled",
  "source.onboard": "Source onboarded",
  "source.rate_limit": "Source rate limit changed",
  "source_secret.revoke": "Source secret revoked",
  "source_secret.rotate": "Source secret rotated",
  "user.bootstrap_admin": "First admin created",
  "user.create": "User added",
  "user.disable": "User disabled",
  "user.enable": "User enabled",
  "user.reset_password": "Password reset",
  "user.revoke_sessions": "User's sessions ended",
  "user.update": "User's role changed",
};

export const AUDIT_TARGET_LABEL: Record<string, string> = {
  api_token: "Read-API token",
  case: "Case",
  demo: "Demo",
  email: "Email",
  event: "Event",
  exception: "Exception",
  exception_sla: "Exception SLA",
  job: "Job",
  outbound_delivery: "Notification",
  outbound_endpoint: "Endpoint",
  product: "Product",
  schema_version: "Schema version",
  service_tier: "Service tier",
  session: "Session",
  source: "Source",
  user: "User",
};

/** "policy.set" → "Overwrite policy changed"; an action without a label reads as words ("foo.bar_baz" → "Foo bar baz"). */
export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABEL[action] ?? words(action);
}

/** "outbound_endpoint" → "Endpoint"; a prefix filter ("policy.*") → "Policy: every action". */
export function auditTargetLabel(type: string): string {
  return AUDIT_TARGET_LABEL[type] ?? words(type);
}

function words(code: string): string {
  const s = code.replace(/[._]+/g, " ").trim().toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
