import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { buildDemoScenario } from "../dev/demo/build-demo-scenario";
import { signWebhook } from "../dev/simulator/sign";
import { signIn } from "./fixtures/auth";
import { newWebhookId, postAndSettle, screenshot, settled, ticket, uniqueId, type Envelope } from "./fixtures/reviewer-data";

/**
 * Support-operations admins (issue 7): onboard a source end to end, widen its policy from the
 * recurring-exceptions report, publish a schema version with a progress bar that survives a reload,
 * and read the dashboard's numbers for the demo.
 */
const READ = { authorization: `Bearer ${process.env.E2E_API_TOKEN ?? "e2e-read-token-0123456789"}` };

/** axe at every impact and no sideways scrolling, at 1440 and at 390 px: for states only a flow reaches (#15). */
async function checkBothWidths(page: Page, what: string): Promise<void> {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
    expect.soft(results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`), `axe on ${what} at ${width} px`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect.soft(overflow, `${what} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    await screenshot(page, `${what.replace(/\W+/g, "-")}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).first().innerText()).trim();
  return Number(text.split(" ")[0]!.replace(/,/g, ""));
}

async function openExceptions(request: APIRequestContext, rule: string): Promise<{ caseId: string; detail: unknown }[]> {
  const res = await request.get(`/api/v1/exceptions?status=open&rule=${rule}`, { headers: READ });
  expect(res.status()).toBe(200);
  return res.json();
}

test.describe("support operations", () => {
  test("the dashboard shows the demo's numbers, and a new event moves them", async ({ page }) => {
    const health = (await (await page.request.get("/api/health", { headers: READ })).json()) as { checks: { demo: { total: number } } };
    const demoEvents = health.checks.demo.total;
    expect(demoEvents).toBeGreaterThan(0);

    await signIn(page, "admin");
    await page.goto("/dashboard");
    const accepted = await numberIn(page, "intake-accepted");
    expect(accepted).toBeGreaterThanOrEqual(demoEvents);
    // The headline share is over the same accepted, non-stale events.
    await expect(page.getByTestId("changes-complete")).toContainText(` of ${accepted.toLocaleString("en-US")}`);
    await expect(page.getByTestId("share-complete")).toHaveText(/^\d+(\.\d)?%$/);
    expect(await numberIn(page, "latency-events")).toBeGreaterThan(0);
    await expect(page.getByTestId("latency-p50")).toHaveText(/\d+(\.\d)? (ms|s|min)/);

    // Every rule the demo resolved shows at least the demo's resolutions.
    const resolved = new Map<string, number>();
    for (const a of buildDemoScenario(Date.now()).rounds.flatMap((r) => r.actions)) {
      if (a.kind === "resolve") resolved.set(`${a.rule}-${a.resolution}`, (resolved.get(`${a.rule}-${a.resolution}`) ?? 0) + 1);
    }
    expect(resolved.size).toBeGreaterThan(0);
    for (const [key, n] of resolved) expect(await numberIn(page, `exceptions-${key}`), key).toBeGreaterThanOrEqual(n);
    await screenshot(page, "ops-dashboard");

    // One more accepted ticket: the counts move by exactly one.
    const ticketing = await numberIn(page, "intake-ticketing-accepted");
    const complete = await numberIn(page, "changes-complete");
    await postAndSettle(page.request, "ticketing", ticket(uniqueId("E2E-OPS-DASH"), 1));
    // The measures are shared between viewers for a few seconds: reload until they include it.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("intake-accepted")).toHaveText((accepted + 1).toLocaleString("en-US"), { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByTestId("intake-ticketing-accepted")).toHaveText((ticketing + 1).toLocaleString("en-US"));
    await expect(page.getByTestId("changes-complete")).toHaveText(`${(complete + 1).toLocaleString("en-US")} of ${(accepted + 1).toLocaleString("en-US")}`);
  });

  test("onboard a source, see its change held for review, widen the policy, see the next change apply", async ({ page }) => {
    const run = uniqueId("OPS").toLowerCase();
    const name = `ticketing-${run.replace(/[^a-z0-9]/g, "")}`;
    const caseId = uniqueId("E2E-ONB");
    await signIn(page, "admin");

    // The case exists from the built-in ticketing system (auto policy).
    const base = ticket(caseId, 1, { severity: "S2" });
    await postAndSettle(page.request, "ticketing", base);

    await page.goto("/admin/sources");
    await page.getByLabel("Name (the URL segment)").fill(name);
    await page.getByLabel("Kind").selectOption("ticketing");
    await page.getByLabel("Requests / second").first().fill("200");
    await page.getByLabel("Why (kept in the audit log)").first().fill("EMEA follow-the-sun desk runs its own ticketing");
    await page.getByRole("button", { name: "Add source" }).click();
    const secret = (await page.getByTestId("shown-once-value").innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    await expect(page.getByTestId("onboarded-url")).toContainText(`/api/webhooks/${name}`);
    await expect(page.getByTestId(`source-row-${name}`)).toContainText("13 of 13 on review");
    await screenshot(page, "ops-sources-onboarded");
    await checkBothWidths(page, "sources secret shown once");
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("shown-once-value")).toHaveCount(0);

    // Its ticket of the same case raises the severity: accepted at once, held for review.
    const post = async (version: number, severity: string, minutesAgo: number) => {
      const body: Envelope = { ...ticket(caseId, version, { severity }), entity: { kind: "ticket", id: `TCK-${name}-${caseId}` }, occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString() };
      const webhookId = newWebhookId();
      const signed = signWebhook({ baseUrl: new URL(page.url()).origin, source: name, secret, webhookId, body: JSON.stringify(body) });
      const res = await page.request.post(signed.url, { headers: signed.headers, data: signed.body });
      expect(res.status(), await res.text()).toBe(202);
      return settled(page.request, { source: name, webhookId, eventId: "" });
    };
    expect((await post(1, "S3", 10)).status).toBe("held");
    const review = (await openExceptions(page.request, "REVIEW_REQUIRED")).filter((e) => e.caseId === caseId);
    expect(review).toHaveLength(1);
    await page.goto(`/exceptions?rule=REVIEW_REQUIRED&source=${name}`);
    await expect(page.getByText(caseId).first()).toBeVisible();

    // Widen from the recurring-exceptions report: severity from this source now applies by itself.
    await page.goto("/admin/recurring");
    const group = page.locator(`[data-testid="recurring-row"][data-source="${name}"][data-field="case.severity"]`);
    await expect(group).toContainText("Review required");
    await expect(group).toContainText("review");
    await group.getByRole("button", { name: "Move to auto…" }).click();
    await page.getByLabel("Why (kept in the audit log)").fill("Severity from the EMEA desk is triaged by duty managers");
    await screenshot(page, "ops-recurring-widen");
    await page.getByRole("button", { name: "Move to auto", exact: true }).click();
    await expect(page.getByText(`Case severity of ${name} is now auto`)).toBeVisible();
    await expect(group).toContainText("Case › Severity");
    await expect(group).not.toContainText("case.severity");
    await expect(group).toContainText("auto");

    await page.goto(`/admin/policies?source=${name}`);
    await expect(page.getByTestId("policy-row-case.severity")).toContainText("auto");
    await expect(page.getByTestId("policy-row-case.subject")).toContainText("review");
    // Fields go by the tables' labels (the identifier stays beside them, small), in the history too.
    await expect(page.getByTestId("policy-row-case.severity")).toContainText("Case › Severity");
    await expect(page.getByRole("checkbox", { name: "Select Case › Severity" })).toBeVisible();
    await expect(page.locator("li", { hasText: "set Case › Severity review → auto" })).toHaveCount(1);
    await expect(page.getByText("Severity from the EMEA desk is triaged by duty managers")).toBeVisible();
    await screenshot(page, "ops-policies");

    // The next severity change from the new source applies without review and clears the exception.
    expect((await post(2, "S4", 5)).status).toBe("applied");
    const record = await (await page.request.get(`/api/v1/cases/${caseId}/record`, { headers: READ })).json();
    expect(record.record.case.severity).toBe("S4");
    expect(record.lineage["/case/severity"].source).toBe(name);
    expect((await openExceptions(page.request, "REVIEW_REQUIRED")).filter((e) => e.caseId === caseId)).toHaveLength(0);
  });

  test("publishing a schema version that requires a new field re-materialises every record with progress that survives a reload", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/admin/schema");
    await page.getByRole("button", { name: "Start a draft" }).click();
    const draftHeading = page.getByRole("heading", { name: /Draft version \d+/ });
    await expect(draftHeading).toBeVisible();
    const draft = Number((await draftHeading.innerText()).match(/Draft version (\d+)/)![1]);
    await page.getByRole("checkbox", { name: "environment.id" }).check();
    await page.getByRole("button", { name: "Save draft" }).click();
    const reviewPanel = page.getByTestId("schema-review");
    // Named as the tables name it, the identifier small beside it.
    await expect(reviewPanel).toContainText("+ Environment › ID environment.id");
    const lacking = Number((await reviewPanel.innerText()).match(/(\d+) of \d+ current records lack it/)![1]);
    expect(lacking).toBeGreaterThan(0);
    await screenshot(page, "ops-schema-review");
    await checkBothWidths(page, "schema draft review");

    await page.getByLabel("Why (kept in the audit log)").fill("Duty managers need the environment on every record");
    await page.getByRole("button", { name: `Publish version ${draft}` }).click();
    const card = page.getByTestId("job-card").filter({ hasText: `schema version ${draft}` });
    await expect(card).toBeVisible();
    const jobId = await card.getAttribute("data-job-id");
    const bar = page.getByTestId(`job-progress-${jobId}`);
    await expect(bar).toHaveAttribute("role", "progressbar");

    // The progress lives in the Job row: after a reload the same job and bar are there.
    await page.reload();
    await expect(page.getByTestId(`job-progress-${jobId}`)).toBeVisible();
    await expect(page.locator(`[data-job-id="${jobId}"]`)).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    const total = Number(await page.getByTestId(`job-progress-${jobId}`).getAttribute("aria-valuemax"));
    expect(total).toBeGreaterThan(0);
    await expect(page.getByTestId(`job-progress-${jobId}`)).toHaveAttribute("aria-valuenow", String(total));
    const result = page.locator(`[data-job-id="${jobId}"]`).getByTestId("publish-result");
    await expect(result).toContainText("newly fail the schema and opened Schema invalid");
    const opened = Number((await result.innerText()).match(/(\d+) records? newly fail/)![1]);
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThanOrEqual(lacking);
    await screenshot(page, "ops-schema-published");

    // Records that lack the field opened SCHEMA_INVALID, naming it.
    const invalid = (await openExceptions(page.request, "SCHEMA_INVALID")).filter((e) =>
      (e.detail as { hits?: { field: string; message: string }[] }).hits?.some((h) => h.field === "environment.id" && h.message.includes(`environment ID (escalation schema version ${draft})`)),
    );
    expect(invalid.length).toBeGreaterThanOrEqual(lacking);

    // Put the demo back: the next version drops the requirement and the exceptions clear.
    await page.getByRole("button", { name: "Start a draft" }).click();
    await page.getByRole("checkbox", { name: "environment.id" }).uncheck();
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByTestId("schema-review")).toContainText("− Environment › ID environment.id");
    await page.getByLabel("Why (kept in the audit log)").fill("Too strict for on-premises cases");
    await page.getByRole("button", { name: `Publish version ${draft + 1}` }).click();
    const revert = page.getByTestId("job-card").filter({ hasText: `schema version ${draft + 1}` });
    await expect(revert).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    const still = (await openExceptions(page.request, "SCHEMA_INVALID")).filter((e) => JSON.stringify(e.detail).includes("environment.id"));
    expect(still).toHaveLength(0);
  });

  test("adding a field the record never had: define, check the current records, publish; records gain it with lineage", async ({ page }) => {
    const run = uniqueId("E2E-FLD");
    const [good, bad] = [`${run}-G`, `${run}-B`];
    await postAndSettle(page.request, "ticketing", ticket(good, 1, { customerImpact: "High" }));
    await postAndSettle(page.request, "ticketing", ticket(bad, 1, { customerImpact: "catastrophic" }));

    await signIn(page, "admin");
    await page.goto("/admin/schema");
    await page.getByRole("button", { name: "Start a draft" }).click();
    const draft = Number((await page.getByRole("heading", { name: /Draft version \d+/ }).innerText()).match(/Draft version (\d+)/)![1]);
    await page.getByRole("button", { name: "Add a field…" }).click();
    const flow = page.getByTestId("add-field-flow");
    await flow.getByLabel("Comes from source").selectOption("ticketing");
    await flow.getByLabel("Path in that source's data").fill("/customerImpact");
    await flow.getByLabel("Field name in the record").fill("customerImpact");
    await flow.getByLabel("Type").selectOption("enum");
    await flow.getByLabel("Allowed values").fill("low, medium, high");
    // Adding waits for the check; the check reads the stored events, before anything changes.
    await expect(flow.getByRole("button", { name: "Add Case › Customer impact to the draft" })).toBeDisabled();
    await flow.getByRole("button", { name: "Check current records" }).click();
    const preview = flow.getByTestId("field-preview");
    await expect(preview).toContainText(/[1-9]\d* of \d+ would have it/);
    await expect(preview.getByRole("link", { name: good })).toBeVisible();
    await expect(preview).toContainText(`${bad} · "catastrophic" is not one of low, medium, high`);
    await screenshot(page, "ops-schema-field-check");
    await flow.getByRole("button", { name: "Add Case › Customer impact to the draft" }).click();
    await expect(page.getByTestId("added-fields")).toContainText("case.customerImpact");
    await expect(page.getByTestId("added-fields-review")).toContainText("+ Case › Customer impact case.customerImpact");

    await page.getByLabel("Why (kept in the audit log)").fill("Duty managers sort escalations by customer impact");
    await page.getByRole("button", { name: `Publish version ${draft}` }).click();
    const card = page.getByTestId("job-card").filter({ hasText: `schema version ${draft}` });
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    await expect(card.getByTestId("publish-result")).toContainText(bad);

    const record = await (await page.request.get(`/api/v1/cases/${good}/record`, { headers: READ })).json();
    expect(record.record.case.customerImpact).toBe("high");
    expect(record.lineage["/case/customerImpact"]).toMatchObject({ source: "ticketing", entityKind: "ticket", entityId: `TCK-${good}`, entityVersion: 1 });
    const version = await (await page.request.get(`/api/v1/cases/${good}/versions/${record.version}`, { headers: READ })).json();
    expect(version.delta).toEqual([expect.objectContaining({ path: "/case/customerImpact", before: null, after: "high", cause: "schema_change" })]);
    expect((await openExceptions(page.request, "SCHEMA_INVALID")).filter((e) => e.caseId === bad)).toHaveLength(1);

    // Put the demo back: the next version drops the field, and the held case is released.
    await page.getByRole("button", { name: "Start a draft" }).click();
    await page.getByTestId("added-fields").getByRole("button", { name: "Remove" }).click();
    await page.getByRole("button", { name: "Remove Case › Customer impact" }).click();
    await expect(page.getByTestId("added-fields-review")).toContainText("− Case › Customer impact case.customerImpact");
    await page.getByLabel("Why (kept in the audit log)").fill("Back to the standard record");
    await page.getByRole("button", { name: `Publish version ${draft + 1}` }).click();
    await expect(page.getByTestId("job-card").filter({ hasText: `schema version ${draft + 1}` })).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    expect((await openExceptions(page.request, "SCHEMA_INVALID")).filter((e) => e.caseId === bad)).toHaveLength(0);
  });

  test("a product area nobody knew: adding the product re-materialises the held record, with progress", async ({ page }) => {
    const run = uniqueId("E2E-REF");
    const code = run.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const area = `Fraud Shield ${run}`;
    await postAndSettle(page.request, "ticketing", ticket(run, 1, { productArea: area }));
    expect((await openExceptions(page.request, "SCHEMA_INVALID")).filter((e) => e.caseId === run)).toHaveLength(1);

    await signIn(page, "admin");
    await page.goto("/admin/reference");
    await page.getByRole("button", { name: "Add product…" }).click();
    await page.getByLabel("Code").fill(code);
    await page.getByLabel("Name", { exact: true }).fill(area);
    await page.getByLabel("Why (kept in the audit log)").fill("New product launched this week");
    await page.getByRole("button", { name: "Add product", exact: true }).click();
    const card = page.getByTestId("job-card").filter({ hasText: `Add product ${code}` });
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(card).toContainText("1 affected record");
    await expect(card.getByRole("link", { name: run })).toBeVisible();
    await expect(page.getByTestId(`product-row-${code}`)).toContainText(area.toLowerCase());
    await screenshot(page, "ops-reference");

    const record = await (await page.request.get(`/api/v1/cases/${run}/record`, { headers: READ })).json();
    expect(record.record.case.product).toBe(code);
    expect((await openExceptions(page.request, "SCHEMA_INVALID")).filter((e) => e.caseId === run)).toHaveLength(0);
  });

  test("replay a case from the UI: the report says the record came out the same", async ({ page }) => {
    const run = uniqueId("E2E-RPL");
    await postAndSettle(page.request, "ticketing", ticket(run, 1));
    await postAndSettle(page.request, "ticketing", ticket(run, 2, { status: "pending" }));
    await signIn(page, "admin");
    await page.goto("/admin/replay");
    await page.getByLabel("Case id").fill(run);
    await page.getByRole("button", { name: "Replay case" }).click();
    const card = page.getByTestId("job-card").filter({ hasText: `Replay case ${run}` });
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(card.getByTestId("replay-report")).toContainText("The record matched");
    await page.getByRole("button", { name: "Last hour" }).click();
    await page.getByRole("button", { name: "Replay window" }).click();
    const windowCard = page.getByTestId("job-card").filter({ hasText: "Replay cases with events received" }).first();
    await expect(windowCard).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    await expect(windowCard.getByTestId("replay-report")).toContainText(/All \d+ records matched/);
    await screenshot(page, "ops-replay");
  });

  test("the operations screens have no serious accessibility violation and fit a narrow window", async ({ page }) => {
    await signIn(page, "admin");
    for (const url of ["/dashboard", "/admin/sources", "/admin/policies", "/admin/recurring", "/admin/reference", "/admin/schema", "/admin/replay"]) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(url);
      await expect(page.locator("main h1").first()).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
      const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect.soft(serious.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`), `axe on ${url}`).toEqual([]);
      await page.setViewportSize({ width: 400, height: 900 });
      // On /dashboard only the refresh-measure cards are ours; the overview above is the reviewer UI's.
      const overflow = await page.evaluate((mine) => {
        const vw = document.documentElement.clientWidth;
        if (!mine) return document.documentElement.scrollWidth - vw;
        return Math.max(0, ...[...document.querySelectorAll('[data-testid^="dash-"]')].map((el) => el.getBoundingClientRect().right - vw));
      }, url === "/dashboard");
      expect.soft(overflow, `${url} scrolls sideways by ${overflow}px at 400px wide`).toBeLessThanOrEqual(0);
    }
  });
});
