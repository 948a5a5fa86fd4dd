import { expect, test, type Page } from "@playwright/test";
import { pathLikeTokens } from "../dev/testing/path-like";
import { signIn } from "./fixtures/auth";
import { gotoReady, incident, postAndSettle, screenshot, ticket, uniqueId } from "./fixtures/reviewer-data";

/** A case whose v1 is current and whose v2 is held by SEVERITY_CONFLICT (ticket S1, open incident S3). */
async function heldCase(page: Page, caseId: string) {
  const v1 = await postAndSettle(page.request, "ticketing", ticket(caseId, 1, { severity: "S1", customerName: `Conflict ${caseId}` }));
  expect(v1.status).toBe("applied");
  const held = await postAndSettle(page.request, "incident", incident(caseId, `INC-${caseId}`, 1, { severity: "S3" }));
  expect(held.status).toBe("held");
}

async function openException(page: Page, caseId: string, status: "open" | "claimed" = "claimed") {
  await gotoReady(page, `/exceptions?case=${caseId}&status=${status}`);
  await page.locator("tbody tr").filter({ hasText: caseId }).getByRole("link", { name: caseId }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Severity conflict on ${caseId}`);
}

async function resolve(page: Page, key: "a" | "r" | "o", note: string, override?: { field: string; value: string }) {
  await expect(page.getByRole("form", { name: "Resolve exception" })).toBeVisible();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
  await expect(page.getByRole("textbox", { name: /Note/ })).toBeFocused();
  if (override) {
    await page.getByRole("combobox", { name: "Field" }).selectOption({ label: override.field });
    await page.getByRole("combobox", { name: /^Value/ }).selectOption(override.value);
  }
  await page.getByRole("textbox", { name: /Note/ }).fill(note);
  await page.getByRole("form", { name: "Resolve exception" }).getByRole("button", { name: /Approve and make current|Reject and quarantine|Set the field/ }).click();
}

test.describe("exception triage", () => {
  test("a specialist bulk-claims, then approves, rejects and overrides, and each record shows the outcome at once", async ({ page }) => {
    const run = uniqueId("E2E-EXC");
    const [approveCase, rejectCase, overrideCase] = [`${run}-APR`, `${run}-REJ`, `${run}-OVR`];
    for (const c of [approveCase, rejectCase, overrideCase]) await heldCase(page, c);

    await signIn(page, "specialist");
    await gotoReady(page, "/exceptions?rule=SEVERITY_CONFLICT");
    for (const c of [approveCase, rejectCase, overrideCase]) {
      await page.getByRole("checkbox", { name: new RegExp(`Select ${c} `) }).check();
    }
    await expect(page.getByText("3 selected")).toBeVisible();
    await screenshot(page, "exceptions-queue");
    await page.getByRole("button", { name: "Claim selected" }).click();
    await expect(page.getByTestId("action-notice")).toContainText("Claimed 3");
    await page.getByRole("button", { name: /^claimed/i }).click();
    await page.getByRole("checkbox", { name: "Claimed by me" }).check();
    for (const c of [approveCase, rejectCase, overrideCase]) await expect(page.locator("tbody tr").filter({ hasText: c })).toContainText("you");

    // Approve: the held candidate becomes current.
    await openException(page, approveCase);
    await expect(page.getByTestId("evidence")).toContainText("S1");
    await expect(page.getByTestId("evidence")).toContainText("S3");
    await screenshot(page, "exception-detail-claimed");
    await resolve(page, "a", "Incident severity lags; the customer impact is S1.");
    await expect(page.getByTestId("action-notice")).toContainText(`${approveCase} is now at v2 (current)`);
    await expect(page.getByTestId("resolution")).toContainText("approve");
    await page.getByTestId("action-notice").getByRole("link", { name: "Open record" }).click();
    await expect(page.getByTestId("current-version")).toContainText("v2");
    await expect(page.getByTestId("open-exceptions")).toHaveCount(0);

    // Reject: the incident event is quarantined and v1 stays current.
    await openException(page, rejectCase);
    await resolve(page, "r", "Wrong incident linked by the NOC; quarantining it.");
    await expect(page.getByTestId("action-notice")).toContainText(`${rejectCase} keeps its current version`);
    await gotoReady(page, `/records/${rejectCase}`);
    await expect(page.getByTestId("current-version")).toContainText("v1");
    await expect(page.getByTestId("version-timeline").locator("[data-version='2']")).toContainText("rejected");
    await gotoReady(page, `/events?case=${rejectCase}&status=quarantined`);
    await expect(page.locator("tbody tr")).toHaveCount(1);
    await expect(page.locator("tbody tr").first()).toContainText(`INC-${rejectCase}`);

    // Override: the specialist's value stands, with cause manual override.
    await openException(page, overrideCase);
    await resolve(page, "o", "Agreed with the customer: S3 until the fix ships.", { field: "Case › Severity", value: "S3" });
    await expect(page.getByTestId("action-notice")).toContainText(`${overrideCase} is now at v3 (current)`);
    await gotoReady(page, `/records/${overrideCase}`);
    await expect(page.getByTestId("current-version")).toContainText("v3");
    const overridden = page.getByTestId("cause-group-manual_override");
    await expect(overridden.locator("[data-path='/case/severity']").first()).toBeVisible();
    await expect(overridden).toContainText("S3");
    await screenshot(page, "record-after-override");
  });

  test("the override form offers only the disputed field, and a refused value shows the server's 400 message in the form", async ({ page }) => {
    const caseId = uniqueId("E2E-OVV");
    expect((await postAndSettle(page.request, "ticketing", ticket(caseId, 1))).status).toBe("applied");
    const corrected = {
      type: "entitlement.changed",
      caseId,
      entity: { kind: "account", id: `ACC-${caseId}` },
      version: 1,
      occurredAt: new Date(Date.now() - 30 * 60_000).toISOString(),
      data: { accountId: `ACC-${caseId}`, serviceTier: "premium", status: "active", contractId: `CTR-${caseId}`, validUntil: "2027-12-31", correction: {} },
    };
    expect((await postAndSettle(page.request, "entitlement", corrected)).status).toBe("held");
    await signIn(page, "specialist");
    await gotoReady(page, `/exceptions?case=${caseId}&status=open`);
    await page.locator("tbody tr").filter({ hasText: caseId }).getByRole("link", { name: caseId }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(`Entitlement inconsistent on ${caseId}`);
    await page.getByRole("button", { name: /^Claim/ }).click();
    await expect(page.getByRole("form", { name: "Resolve exception" })).toBeVisible();
    await page.getByRole("radio", { name: /Override a field/ }).check();
    const field = page.getByRole("combobox", { name: "Field" });
    await expect(field.locator("option")).toHaveText(["Entitlement › Correction reason"]);
    await page.getByRole("textbox", { name: /^Value/ }).fill("   ");
    await page.getByRole("textbox", { name: /Note/ }).fill("The account team gave no reason either.");
    await page.getByRole("button", { name: "Set the field" }).click();
    // The message names the field as the form does, never by its JSON path.
    await expect(page.locator("#resolve-problem")).toContainText("Entitlement › Correction reason must not be empty");
    expect(pathLikeTokens((await page.locator("#resolve-problem").textContent()) ?? "")).toEqual([]);
    await expect(page.getByRole("form", { name: "Resolve exception" })).toBeVisible();
    await page.getByRole("textbox", { name: /^Value/ }).fill("Renewal credit agreed by the account team");
    await page.getByRole("button", { name: "Set the field" }).click();
    await expect(page.getByTestId("resolution")).toContainText("override");
  });

  test("a note is required, and duty managers see no action buttons", async ({ page, browser }) => {
    const caseId = uniqueId("E2E-NOTE");
    await heldCase(page, caseId);
    await signIn(page, "specialist");
    await openException(page, caseId, "open");
    await page.getByRole("button", { name: /^Claim/ }).click();
    await expect(page.getByRole("form", { name: "Resolve exception" })).toBeVisible();
    await page.getByRole("button", { name: "Approve and make current" }).click();
    await expect(page.locator("#resolve-problem")).toContainText("note of at least 3 characters");
    await expect(page.getByTestId("exception-message")).toBeVisible();

    const manager = await browser.newPage();
    await signIn(manager, "duty_manager");
    await gotoReady(manager, page.url());
    await expect(manager.getByText("Only specialists and admins act on exceptions.")).toBeVisible();
    await expect(manager.getByRole("button", { name: /Claim|Approve|Reject|Release/ })).toHaveCount(0);
    await gotoReady(manager, `/exceptions?case=${caseId}&status=claimed`);
    await expect(manager.locator("tbody tr")).toHaveCount(1);
    await expect(manager.getByRole("button", { name: /Claim|Release/ })).toHaveCount(0);
    await manager.close();
  });
});
