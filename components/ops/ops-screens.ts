/**
 * The support-operations screens. components/auth/admin/admin-screens.ts (the admin index and its
 * navigation) can list them by spreading OPS_SCREENS into ADMIN_SCREENS.
 */
export const OPS_SCREENS: { href: string; title: string; description: string }[] = [
  { href: "/admin/sources", title: "Sources", description: "Onboard a source system, enable or disable it, set its rate limit." },
  { href: "/admin/policies", title: "Overwrite policies", description: "Per source and field: apply changes automatically or hold them for review." },
  { href: "/admin/recurring", title: "Recurring exceptions", description: "Exceptions grouped by source, field and rule, with how they ended; widen a policy from there." },
  { href: "/admin/reference", title: "Reference data", description: "Product taxonomy and service tiers: names, aliases, SLA minutes; the exception SLA per kind." },
  { href: "/admin/schema", title: "Escalation schema", description: "Draft, review and publish schema versions; every record re-materialises." },
  { href: "/admin/replay", title: "Replay", description: "Re-materialise a case, a time window or everything from stored events and compare." },
];
