import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/auth";
import { bundle, gotoReady, note, postAndSettle, postEvent, reloadReady, screenshot, settled, ticket, uniqueId } from "./fixtures/reviewer-data";

test.describe("record page", () => {
  test("a duty manager finds why a record changed, diagnostics apart from note carry-forward, in at most three clicks", async ({ page }) => {
    const caseId = uniqueId("E2E-WHY");
    // v1 current; then a ticket update declaring an unknown tier holds every later candidate, so the
    // next current version carries the new bundle and the new note together, whatever the batching.
    await postAndSettle(page.request, "ticketing", ticket(caseId, 1));
    const held = await postAndSettle(page.request, "ticketing", ticket(caseId, 2, { declaredServiceTier: "Platinum Plus", notes: [note("N1", "Customer sent a HAR file.")] }));
    expect(held.status).toBe("held");
    await postAndSettle(page.request, "diagnostics", bundle(caseId, `BND-${caseId}`, 1));
    const fixed = await postAndSettle(page.request, "ticketing", ticket(caseId, 3, { notes: [note("N1", "Customer sent a HAR file.")] }));
    expect(fixed.status).toBe("applied");
    const current = fixed.recordVersions.find((v) => v.caseId === caseId)!.version;

    await signIn(page, "duty_manager");
    await gotoReady(page, `/records?q=${caseId}`);
    let clicks = 0;
    await page.getByRole("link", { name: caseId, exact: true }).click();
    clicks++;
    await expect(page).toHaveURL(new RegExp(`/records/${caseId}$`));
    await expect(page.getByTestId("current-version")).toContainText(`v${current}`);

    const delta = page.getByTestId("delta-view");
    await expect(delta.getByTestId("delta-summary")).toContainText("New diagnostics");
    await expect(delta.getByTestId("delta-summary")).toContainText("Routine ticket-note carry-forward");
    const diagnostics = delta.getByTestId("cause-group-diagnostics");
    const routine = delta.getByTestId("cause-group-routine_carry_forward");
    await expect(diagnostics).toBeVisible();
    await expect(routine).toBeVisible();
    await expect(diagnostics.locator("[data-path^='/artifacts/']").first()).toBeVisible();
    await expect(diagnostics.locator("[data-path^='/notes']")).toHaveCount(0);
    await expect(routine.locator("[data-path^='/notes/']").first()).toBeVisible();
    await expect(routine.locator("[data-path^='/artifacts']")).toHaveCount(0);
    // Diagnostics come first; the routine block sits apart below it.
    const dBox = (await diagnostics.boundingBox())!;
    const rBox = (await routine.boundingBox())!;
    expect(rBox.y).toBeGreaterThan(dBox.y + dBox.height);

    // Unchanged fields are folded as "carried forward" until asked for.
    const carried = delta.getByTestId("carried-forward");
    await expect(carried.locator("button[data-path='/case/subject']")).toBeHidden();
    await carried.locator("summary").click();
    clicks++;
    await expect(carried.locator("button[data-path='/case/subject']").first()).toBeVisible();
    expect(clicks).toBeLessThanOrEqual(3);
    await screenshot(page, "record-why-changed");
  });

  test("lineage drill-down shows the source version a field came from, its history and its event", async ({ page }) => {
    const caseId = uniqueId("E2E-LIN");
    await postAndSettle(page.request, "ticketing", ticket(caseId, 1, { severity: "S3" }));
    const v2 = await postEvent(page.request, "ticketing", ticket(caseId, 2, { severity: "S2" }));
    await settled(page.request, v2);
    await postAndSettle(page.request, "diagnostics", bundle(caseId, `BND-${caseId}`, 1));

    await signIn(page, "duty_manager");
    await gotoReady(page, `/records/${caseId}?tab=record`);
    await page.getByTestId("record-sections").locator("button[data-path='/case/severity']").click();
    const panel = page.getByRole("dialog");
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId("lineage-source")).toHaveText("ticketing");
    await expect(panel.getByTestId("lineage-entity-version")).toHaveText("2");
    await expect(panel.getByTestId("lineage-webhook-id")).toHaveText(v2.webhookId);
    const history = panel.getByTestId("field-history");
    await expect(history.locator("li")).toHaveCount(2);
    await expect(history.locator("li").first()).toContainText("Ticket update");
    await expect(history.locator("li").first()).toContainText("S3");
    await expect(history.locator("li").first()).toContainText("S2");
    await screenshot(page, "record-lineage-panel");

    // The panel is in the URL, so it survives a reload and can be shared.
    await reloadReady(page);
    await expect(page.getByRole("dialog").getByTestId("lineage-entity-version")).toHaveText("2");

    await page.getByRole("dialog").getByTestId("lineage-event-link").click();
    await expect(page).toHaveURL(new RegExp(`/events/${v2.eventId}$`));
    await expect(page.getByTestId("event-webhook-id")).toHaveText(v2.webhookId);
    await expect(page.getByTestId("event-entity-version")).toHaveText("2");
    await expect(page.getByTestId("event-cases")).toContainText(caseId);
    await screenshot(page, "event-detail");
  });

  test("Escape closes the lineage panel and the current record reads in sections", async ({ page }) => {
    const caseId = uniqueId("E2E-SEC");
    await postAndSettle(page.request, "ticketing", ticket(caseId, 1, { notes: [note("N1", "First note")] }));
    await signIn(page, "duty_manager");
    await gotoReady(page, `/records/${caseId}`);
    await page.getByRole("tab", { name: /Current record/ }).click();
    for (const section of ["Case", "Entitlement", "Incidents", "Environment", "Reproduction", "Artifacts", "Approved logs", "Notes"]) {
      await expect(page.getByTestId("record-sections").getByRole("heading", { name: new RegExp(`^${section}`) })).toBeVisible();
    }
    await page.getByTestId("record-sections").locator("button[data-path='/case/customerName']").click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toBeHidden();
    await expect(page).not.toHaveURL(/field=/);
    await screenshot(page, "record-current-sections");
  });
});
