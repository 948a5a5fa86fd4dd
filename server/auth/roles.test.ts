import { describe, expect, it } from "vitest";
import { AppError } from "../lib/errors";
import { assertRole } from "./authorize";
import { can, CAPABILITY, hasRole, isRole, ROLES } from "./roles";

describe("roles", () => {
  it("rank duty manager < specialist < admin, each including the ones below", () => {
    const table = ROLES.map((r) => ROLES.map((min) => hasRole(r, min)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
    expect(hasRole(null, "duty_manager")).toBe(false);
    expect(hasRole(undefined, "duty_manager")).toBe(false);
  });

  it("give the UI's capabilities to exactly the roles the spec names", () => {
    const holders = (c: keyof typeof CAPABILITY) => ROLES.filter((r) => can(r, c));
    expect(holders("readRecords")).toEqual(["duty_manager", "specialist", "admin"]);
    expect(holders("actOnExceptions")).toEqual(["specialist", "admin"]);
    expect(holders("administer")).toEqual(["admin"]);
    expect(can(null, "readRecords")).toBe(false);
  });

  it("recognise only real roles", () => {
    expect(ROLES.every(isRole)).toBe(true);
    for (const v of ["Admin", "root", "", null, 3]) expect(isRole(v)).toBe(false);
  });
});

describe("assertRole (domain layer)", () => {
  const codeOf = (fn: () => void) => {
    try {
      fn();
      return "OK";
    } catch (err) {
      return err instanceof AppError ? err.code : "other";
    }
  };
  it("refuses lower roles and anonymous actors, allows the role and above and the system", () => {
    expect(codeOf(() => assertRole({ id: "u1", label: "d", role: "duty_manager" }, "specialist"))).toBe("FORBIDDEN");
    expect(codeOf(() => assertRole({ id: "u1", label: "s", role: "specialist" }, "specialist"))).toBe("OK");
    expect(codeOf(() => assertRole({ id: "u1", label: "a", role: "admin" }, "specialist"))).toBe("OK");
    expect(codeOf(() => assertRole({ id: null, label: "ghost", role: "admin" }, "duty_manager"))).toBe("FORBIDDEN");
    expect(codeOf(() => assertRole({ id: null, label: "system", role: "system" }, "admin"))).toBe("OK");
  });
});
