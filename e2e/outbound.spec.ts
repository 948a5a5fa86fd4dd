import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { OutboundReceiver } from "../dev/testing/outbound-receiver";
import { signIn } from "./fixtures/auth";
import { gotoReady, postAndSettle, screenshot, ticket, uniqueId } from "./fixtures/reviewer-data";

/**
 * Outbound notifications (docs/change-feed.md): an admin registers a downstream endpoint (a real
 * receiver that verifies every signature), sends a test event, and sees it and a record change
 * in the delivery log; at desktop and phone widths, axe-clean, no sideways scrolling.
 */
const receivers: OutboundReceiver[] = [];
test.afterAll(async () => {
  for (const r of receivers) await r.stop();
});

async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect.soft(serious.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`), `axe on ${what}`).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect.soft(overflow, `${what} scrolls sideways`).toBeLessThanOrEqual(0);
  // Nor may a box inside it: at phone width lists are cards, not tables in a sideways-scrolling box.
  const scrollers = await page.evaluate(() =>
    [...document.querySelectorAll("main *")]
      .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1 && (el as HTMLElement).offsetParent !== null)
      .map((el) => `${el.tagName.toLowerCase()}${el.getAttribute("data-testid") ? `[${el.getAttribute("data-testid")}]` : ""} ${el.scrollWidth}>${el.clientWidth}`),
  );
  expect.soft(scrollers, `${what}: boxes that scroll sideways`).toEqual([]);
}

for (const [width, height] of [
  [1440, 900],
  [390, 844],
] as const) {
  test(`register an endpoint, send a test event, see deliveries in the log (${width} px)`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    const rx = new OutboundReceiver();
    receivers.push(rx);
    const url = await rx.start();
    const prefix = uniqueId(`OUT${width}`);

    await signIn(page, "admin");
    await gotoReady(page, "/admin/outbound");
    const form = page.getByRole("region", { name: "Add an endpoint" });
    if (!(await form.isVisible())) await page.getByRole("button", { name: "Add endpoint" }).click();
    await form.getByLabel("Endpoint URL").fill(url);
    await form.getByLabel("Description").fill(`e2e receiver ${width}`);
    await form.getByLabel("Only cases whose id starts with (optional)").fill(prefix);
    await expectAccessible(page, `/admin/outbound (${width} px, form open)`);
    await form.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await page.getByTestId("shown-once-value").innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    rx.secrets = [secret];
    await screenshot(page, `outbound-list-${width}`);

    await page.getByRole("link", { name: "Open the endpoint to send a test event" }).click();
    await expect(page.getByRole("heading", { name: url })).toBeVisible();
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByText(/Test event delivered: HTTP 204/)).toBeVisible();
    expect(rx.accepted.map((a) => a.type)).toEqual(["endpoint.test"]);

    // A record change reaches the receiver and shows in the log, delivered.
    const caseId = `${prefix}-1`;
    await postAndSettle(page.request, "ticketing", ticket(caseId, 1));
    await expect.poll(() => rx.accepted.map((a) => a.data.caseId), { timeout: 30_000 }).toContain(caseId);
    // A table at desktop width, cards at phone width (the table is not shown there).
    const log = page.getByTestId(width < 768 ? "delivery-log-cards" : "delivery-log");
    await expect(page.getByTestId(width < 768 ? "delivery-log" : "delivery-log-cards")).toBeHidden();
    await expect(log.getByTestId("delivery-row").filter({ hasText: caseId })).toContainText("Delivered", { timeout: 30_000 });
    await expect(log.getByTestId("delivery-row").filter({ hasText: "endpoint.test" })).toContainText("Delivered");
    expect(rx.badSignatures).toEqual([]);
    await log.getByTestId("delivery-row").filter({ hasText: caseId }).getByRole("button", { name: /1 attempt/ }).click();
    await expect(page.getByRole("list", { name: /Attempts of/ })).toContainText("HTTP 204");
    await expectAccessible(page, `endpoint page (${width} px)`);
    await screenshot(page, `outbound-endpoint-${width}`);
  });
}
