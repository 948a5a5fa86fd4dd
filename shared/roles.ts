/**
 * The three human roles and what each may do. Plain TypeScript shared by both sides (shared/: no
 * database, no secrets): client components hide what a role may not use; the server enforces the
 * same ranks in tRPC middleware and in the domain functions (server/auth/authorize.ts).
 */
export const ROLES = ["duty_manager", "specialist", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Each role includes everything the roles below it may do. */
export const ROLE_RANK: Record<Role, number> = { duty_manager: 1, specialist: 2, admin: 3 };

export const ROLE_LABEL: Record<Role, string> = {
  duty_manager: "Duty manager",
  specialist: "Specialist",
  admin: "Admin",
};

export const ROLE_DESCRIPTION: Record<Role, string> = {
  duty_manager: "Reads every record, version, delta and exception.",
  specialist: "Also claims and resolves exceptions.",
  admin: "Also manages sources, secrets, tokens, reference data, schema versions, overwrite policies and users.",
};

/** What the UI asks about; each capability names the least role that has it. */
export const CAPABILITY = {
  readRecords: "duty_manager",
  actOnExceptions: "specialist",
  administer: "admin",
} as const satisfies Record<string, Role>;
export type Capability = keyof typeof CAPABILITY;

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function hasRole(role: Role | null | undefined, min: Role): boolean {
  return !!role && ROLE_RANK[role] >= ROLE_RANK[min];
}

export function can(role: Role | null | undefined, capability: Capability): boolean {
  return hasRole(role, CAPABILITY[capability]);
}
