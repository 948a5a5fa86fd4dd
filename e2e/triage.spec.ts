import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./fixtures/auth";
import { gotoReady, incident, postAndSettle, reloadReady, screenshot, ticket, uniqueId } from "./fixtures/reviewer-data";

/** A case whose v1 is current and whose v2 is held by SEVERITY_CONFLICT. */
async function heldCase(page: Page, caseId: string) {
  expect((await postAndSettle(page.request, "ticketing", ticket(caseId, 1, { severity: "S1" }))).status).toBe("applied");
  expect((await postAndSettle(page.request, "incident", incident(caseId, `INC-${caseId}`, 1, { severity: "S3" }))).status).toBe("held");
}

const row = (page: Page, caseId: string) => page.locator("tbody tr").filter({ hasText: caseId });

test.describe("keyboard triage (#15)", () => {
  test("c claims the focused row, the focus follows it, Enter opens what was claimed, and after a resolution the focus moves to the next open exception", async ({ page }) => {
    const run = uniqueId("E2E-KEY");
    const [first, second] = [`${run}-A`, `${run}-B`];
    await heldCase(page, first);
    await heldCase(page, second);
    await signIn(page, "specialist");
    await gotoReady(page, "/exceptions?rule=SEVERITY_CONFLICT");
    await expect(row(page, second)).toHaveCount(1);

    // A stray c with the focus on no row claims nothing.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("c");
    await expect(page.getByTestId("action-notice")).toHaveCount(0);

    // Focus the second case's row; c claims exactly it; the row leaves the Open tab.
    const secondId = await row(page, second).getAttribute("data-exception");
    await row(page, second).getByRole("link", { name: second }).focus();
    await page.keyboard.press("c");
    await expect(page.getByTestId("action-notice")).toContainText(`Claimed ${second}`);
    await expect(row(page, second)).toHaveCount(0);
    await expect(row(page, first)).toHaveCount(1);
    await expect(page.getByTestId("action-notice-link")).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/exceptions/${secondId}$`));
    await expect(page.getByRole("heading", { level: 1 })).toContainText(second);

    // Shortcuts never fire inside a form control: typing "c" and "r" in the note neither releases nor switches.
    const note = page.getByRole("textbox", { name: /Note/ });
    await note.fill("");
    await note.pressSequentially("crack", { delay: 10 });
    await expect(note).toHaveValue("crack");
    await expect(page.getByRole("radio", { name: /Approve/ })).toBeChecked();
    await expect(page.getByText("Claimed by you")).toBeVisible();

    // Resolve: the outcome shows and the focus moves to the next open exception.
    await note.fill("Incident severity lags; the customer impact is S1.");
    await page.getByRole("button", { name: "Approve and make current" }).click();
    await expect(page.getByTestId("resolution")).toContainText("approve");
    await expect(page.getByRole("heading", { name: /^Candidate v2/ })).toBeVisible();
    // The SLA widget has stopped: it says how long it took, not how much time is left.
    await expect(page.getByText(/^took /).first()).toBeVisible();
    await expect(page.getByText(/ left of /)).toHaveCount(0);
    const next = page.getByTestId("next-exception").getByRole("link");
    await expect(next).toBeFocused();
    await expect(next).toContainText("Next open exception");
    await screenshot(page, "triage-after-resolve");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/exceptions\/exc_/);
    await expect(page).not.toHaveURL(new RegExp(`${secondId}$`));
  });

  test("single-key shortcuts can be turned off per user, and stay off after a reload", async ({ page }) => {
    const caseId = uniqueId("E2E-OFF");
    await heldCase(page, caseId);
    await signIn(page, "specialist");
    await gotoReady(page, `/exceptions?case=${caseId}`);
    await row(page, caseId).getByRole("link", { name: caseId }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(caseId);

    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(dialog).toBeVisible();
    await dialog.getByTestId("shortcuts-toggle").uncheck();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    await reloadReady(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("c");
    await page.keyboard.press("?");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: /^Claim/ })).toBeVisible();
    await expect(page.getByTestId("action-notice")).toHaveCount(0);

    // Back on (the button in the header opens the same dialog), and c claims again.
    await page.getByRole("button", { name: /^Shortcuts/ }).click();
    await dialog.getByTestId("shortcuts-toggle").check();
    await page.keyboard.press("Escape");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("c");
    await expect(page.getByText("Claimed by you")).toBeVisible();
  });
});

test.describe("stale data (#15)", () => {
  test("when the data calls fail the page says so and stops saying Live, then recovers by itself", async ({ page }) => {
    await signIn(page, "duty_manager");
    await gotoReady(page, "/records");
    const live = page.getByTestId("live-indicator");
    await expect(live).toHaveAttribute("data-state", "live");
    await page.route("**/api/trpc/**", (r) => r.abort("connectionrefused"));
    await expect(page.getByTestId("connection-banner")).toContainText(/Connection lost, data as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    await expect(live).toHaveAttribute("data-state", "lost");
    await expect(live).toContainText("Not updating");
    await screenshot(page, "stale-banner");
    await page.unroute("**/api/trpc/**");
    await expect(page.getByTestId("connection-banner")).toHaveCount(0);
    await expect(live).toHaveAttribute("data-state", "live");
  });
});
