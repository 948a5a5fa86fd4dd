import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/auth";
import { gotoReady, incident, note, postAndSettle, postEvent, ticket, uniqueId } from "./fixtures/reviewer-data";

test.describe("live updates without reload", () => {
  test("a new event appears on an open record page", async ({ page }) => {
    const caseId = uniqueId("E2E-LIVE");
    await postAndSettle(page.request, "ticketing", ticket(caseId, 1));
    await signIn(page, "duty_manager");
    await gotoReady(page, `/records/${caseId}`);
    await expect(page.getByTestId("current-version")).toContainText("v1");
    let navigations = 0;
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations++;
    });

    await postEvent(page.request, "ticketing", ticket(caseId, 2, { notes: [note("N1", "Customer confirmed the workaround.")] }));
    await expect(page.getByTestId("current-version")).toContainText("v2");
    await expect(page.getByTestId("version-timeline").locator("[data-version='2']")).toContainText("current");
    // The default view follows the newest current version and says why it changed.
    await expect(page.getByTestId("cause-group-routine_carry_forward")).toBeVisible();
    await expect(page.getByTestId("delta-summary")).toContainText("Routine ticket-note carry-forward");

    // A conflicting incident opens an exception, shown on the page, still without a reload.
    await postEvent(page.request, "incident", incident(caseId, `INC-${caseId}`, 1, { severity: "S4" }));
    await expect(page.getByTestId("open-exceptions")).toContainText("Severity conflict");
    await expect(page.getByTestId("current-version")).toContainText("v2");
    expect(navigations).toBe(0);
  });

  test("the records list and the exception queue pick up new records and exceptions", async ({ page }) => {
    const run = uniqueId("E2E-LVL");
    await signIn(page, "duty_manager");
    await gotoReady(page, `/records?q=${run}`);
    await expect(page.getByText("No records match these filters")).toBeVisible();
    await postEvent(page.request, "ticketing", ticket(run, 1, { severity: "S1" }));
    await expect(page.locator("tbody tr").filter({ hasText: run })).toHaveCount(1);

    await gotoReady(page, `/exceptions?case=${run}`);
    await expect(page.getByText("No open exceptions")).toBeVisible();
    await postEvent(page.request, "incident", incident(run, `INC-${run}`, 1, { severity: "S4" }));
    await expect(page.locator("tbody tr").filter({ hasText: run })).toContainText("Severity conflict");
  });
});
