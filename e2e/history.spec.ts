import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/auth";
import { bundle, gotoReady, postAndSettle, screenshot, ticket, uniqueId } from "./fixtures/reviewer-data";

const TOKEN = { authorization: "Bearer e2e-read-token-0123456789" };

test.describe("field history and the record at a moment (#15)", () => {
  test("as-of answers the version current then, on the read API and the record page; the field history lists every change and exports CSV", async ({ page }) => {
    const caseId = uniqueId("E2E-ASOF");
    await postAndSettle(page.request, "ticketing", ticket(caseId, 1, { severity: "S2" }));
    await postAndSettle(page.request, "diagnostics", bundle(caseId, `BND-${caseId}`, 1));

    // The read API: now → v2; a millisecond before v2 became current → v1.
    const now = await page.request.get(`/api/v1/cases/${caseId}/record?asOf=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { headers: TOKEN });
    expect(now.status()).toBe(200);
    const v2 = (await now.json()) as { version: number; becameCurrentAt: string };
    expect(v2.version).toBe(2);
    const before = new Date(new Date(v2.becameCurrentAt).getTime() - 1).toISOString();
    const then = await page.request.get(`/api/v1/cases/${caseId}/record?asOf=${encodeURIComponent(before)}`, { headers: TOKEN });
    expect(((await then.json()) as { version: number; status: string })).toMatchObject({ version: 1, status: "superseded" });
    const bad = await page.request.get(`/api/v1/cases/${caseId}/record?asOf=yesterday`, { headers: TOKEN });
    expect(bad.status()).toBe(400);
    const early = await page.request.get(`/api/v1/cases/${caseId}/record?asOf=2000-01-01T00:00:00Z`, { headers: TOKEN });
    expect(early.status()).toBe(404);
    expect(await early.json()).toMatchObject({ code: "NO_VERSION_AT_TIME" });

    await signIn(page, "duty_manager");
    await gotoReady(page, `/records/${caseId}?asOf=${encodeURIComponent(before)}`);
    await expect(page.getByTestId("as-of-version")).toHaveText("v1");
    await expect(page.getByTestId("record-sections")).not.toContainText(`BND-${caseId}`);
    await screenshot(page, "record-as-of");

    // Field history: the bundle's arrival and v1's fields, with the bundle named by its id.
    await gotoReady(page, `/records/${caseId}?tab=history`);
    const history = page.getByTestId("case-field-history");
    await expect(history.locator("tbody tr").first()).toBeVisible();
    await expect(history.locator("tbody")).toContainText(`BND-${caseId}`);
    await expect(history.locator("tbody")).not.toContainText("/artifacts");
    const all = await history.locator("tbody tr").count();
    await history.getByRole("combobox", { name: "Cause" }).selectOption({ label: "New diagnostics" });
    // The bundle and its approved log; none of v1's ticket fields.
    await expect(history.locator("tbody tr")).toHaveCount(2);
    for (const r of await history.locator("tbody tr").all()) await expect(r.locator("[data-cause]")).toHaveAttribute("data-cause", "diagnostics");
    await screenshot(page, "record-field-history");
    const [download] = await Promise.all([page.waitForEvent("download"), history.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.trimEnd().split("\r\n")).toHaveLength(3);
    expect(csv).toContain(`BND-${caseId}`);
    await history.getByRole("combobox", { name: "Cause" }).selectOption({ label: "All causes" });
    await expect(history.locator("tbody tr")).toHaveCount(all);

    // 390 px: the history becomes cards and nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(history.locator("[data-history-card]").first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "narrow-record-field-history");
  });
});

test.describe("smaller points (#15)", () => {
  test("a compare URL naming a version the case lacks says so plainly; the package exports; event data is readable", async ({ page }) => {
    const caseId = uniqueId("E2E-BADV");
    const posted = await postAndSettle(page.request, "ticketing", ticket(caseId, 1, { severity: "S2" }));
    expect(posted.status).toBe("applied");
    await signIn(page, "duty_manager");
    await gotoReady(page, `/records/${caseId}?from=99&to=1`);
    await expect(page.getByTestId("bad-version")).toContainText("This case has no version v99: it has v1 to v1");
    await expect(page.getByTestId("delta-view")).toBeVisible();
    await expect(page.getByText(/went wrong|Something failed/i)).toHaveCount(0);

    const [md] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export Markdown" }).click()]);
    const text = readFileSync((await md.path())!, "utf8");
    expect(text).toContain(`# Escalation package ${caseId}`);
    expect(text).not.toMatch(/\/case\//);
    const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    expect(JSON.parse(readFileSync((await json.path())!, "utf8"))).toMatchObject({ caseId, version: 1 });

    await gotoReady(page, `/events?case=${caseId}`);
    await page.locator("tbody tr").first().getByRole("link").first().click();
    await expect(page.getByTestId("event-data")).toContainText("Severity");
    await expect(page.getByTestId("event-data")).not.toContainText("{");
  });
});
