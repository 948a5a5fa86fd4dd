import { OPS_SCREENS } from "@/components/ops/ops-screens";

/**
 * The admin screens, for the admin index and its sub-navigation: access management here, then the
 * support-operations screens (sources, policies, reference data, schema, replay) from components/ops.
 */
export const ADMIN_SCREENS: { href: string; title: string; description: string }[] = [
  { href: "/admin/users", title: "Users", description: "Add people, set their role, reset passwords, disable accounts and end sessions." },
  { href: "/admin/tokens", title: "API tokens", description: "Create and revoke read-only bearer tokens for tools that read records." },
  { href: "/admin/secrets", title: "Webhook secrets", description: "Rotate each source's signing secret with an overlap window; revoke leaked ones." },
  { href: "/admin/outbound", title: "Outbound notifications", description: "Notify downstream tools of every record change: signed, retried, with a delivery log." },
  { href: "/admin/audit", title: "Audit log", description: "Every admin and human action: who, what, when, before, after and why." },
  ...OPS_SCREENS,
];
