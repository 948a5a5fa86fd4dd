import { describe, expect, it } from "vitest";
import { isPrepared } from "../../db/statement-names";
import { readCaseContext } from "./case-context";
import { claimEvents } from "./claim-events";
import { insertDeltaEntries } from "./insert-delta-entries";
import { insertVersion } from "./insert-version";
import { linkIncidentCases } from "./link-incident-cases";
import { lockAndEnsureCase } from "./lock-and-ensure-case";
import { lockCase } from "./lock-case";
import { readOverrideDetails } from "./override-details";
import { RefreshWrites } from "./refresh-writes";
import { settleEventStatusSql } from "./settle-event-status";
import { supersedeCurrent } from "./supersede-current";

describe("the refresh's statement modules", () => {
  it("run the statements of every refresh as named prepared statements, the rare ones unnamed", () => {
    for (const s of [lockAndEnsureCase, readCaseContext, claimEvents, settleEventStatusSql]) expect(isPrepared(s.sql), s.sql.slice(0, 60)).toBe(true);
    for (const s of [lockCase, linkIncidentCases, readOverrideDetails]) expect(isPrepared(s.sql), s.sql.slice(0, 60)).toBe(false);
  });

  it("compose the case-context read from its fragments into one constant text", () => {
    expect(readCaseContext.sql).toMatch(/^WITH inputs AS \(WITH mine AS/);
    expect(readCaseContext.sql).toContain(`JOIN inputs i ON e."sourceId" = i."sourceId"`);
    expect(readCaseContext.sql).not.toMatch(/\$\{|\$3/);
  });

  it("compose write parts into one statement: placeholders numbered in order, a dependent part waits for the one it names", () => {
    const writes = new RefreshWrites();
    const superseded = writes.add(supersedeCurrent, ["ver_old"]);
    const version = writes.add(insertVersion, ["ver_new", "C-1", 2, "current", true, "{}", "{}", "s", [], 1, 1, null], { after: superseded });
    writes.add(insertDeltaEntries, ["C-1", ["d1"], ["/a"], [null], ["1"], ["ticket_update"], ["{}"]], { version });
    const { sql, values } = writes.statement;
    expect(sql.startsWith("WITH w0 AS (UPDATE \"RecordVersion\"")).toBe(true);
    expect(sql).toContain("FROM (SELECT count(*) FROM w0) AS w0_done");
    expect(sql).toContain('SELECT d.id, w1."id"');
    expect(sql).toMatch(/\nSELECT 1$/);
    expect(values).toHaveLength(1 + 12 + 7);
    expect(values[0]).toBe("ver_old");
    expect(values[1]).toBe("ver_new");
    const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });
});
