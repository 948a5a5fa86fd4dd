import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/auth";
import { gotoReady, postAndSettle, postEvent, postForged, reloadReady, screenshot, settled, ticket, uniqueId } from "./fixtures/reviewer-data";

test.describe("event log", () => {
  test("shows the intake stream with statuses and the versions each event produced, filters in the URL", async ({ page }) => {
    const caseId = uniqueId("E2E-EVT");
    const v1 = await postAndSettle(page.request, "ticketing", ticket(caseId, 1));
    expect(v1.status).toBe("applied");
    await postAndSettle(page.request, "ticketing", ticket(caseId, 3, { subject: "Third version" }));
    // Version 2 arrives after version 3: kept in the log as stale, never applied.
    const stale = await postEvent(page.request, "ticketing", ticket(caseId, 2, { subject: "Late" }), "stale");
    await settled(page.request, stale);

    await signIn(page, "duty_manager");
    await gotoReady(page, `/events?case=${caseId}`);
    const rows = page.locator("tbody tr");
    await expect(rows).toHaveCount(3);
    // Newest first: the stale delivery on top, then v3, then v1, each with what it produced.
    await expect(rows.nth(0)).toContainText("stale");
    await expect(rows.nth(0)).toContainText("not applied (stale)");
    await expect(rows.nth(1)).toContainText("applied");
    await expect(rows.nth(1)).toContainText(`${caseId} v2`);
    await expect(rows.nth(2)).toContainText(`${caseId} v1`);
    await screenshot(page, "events");

    await page.getByRole("button", { name: "stale", exact: true }).click();
    await expect(rows).toHaveCount(1);
    await expect(page).toHaveURL(/status=stale/);
    await reloadReady(page);
    await expect(page.getByRole("button", { name: "stale", exact: true })).toHaveAttribute("aria-pressed", "true");
    await expect(rows).toHaveCount(1);

    await page.getByRole("combobox", { name: "Source" }).selectOption("diagnostics");
    await expect(page.getByText("No events match")).toBeVisible();
  });

  test("refused deliveries are listed with their reason, apart from accepted events", async ({ page }) => {
    const caseId = uniqueId("E2E-REF");
    const forged = await postForged(page.request, "ticketing", ticket(caseId, 1));
    await signIn(page, "duty_manager");
    await gotoReady(page, "/events");
    await page.getByRole("button", { name: "Refused deliveries" }).click();
    await expect(page).toHaveURL(/tab=refusals/);
    const row = page.locator("tbody tr").filter({ hasText: forged });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("401");
    await expect(row).toContainText("ticketing");
    await expect(row).toContainText(/signature/i);
    await screenshot(page, "events-refusals");
    // Nothing refused leaves a trace among accepted events.
    await gotoReady(page, `/events?q=${forged}`);
    await expect(page.getByText("No events match")).toBeVisible();
  });
});
