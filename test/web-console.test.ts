import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import express from "express";
import pino from "pino";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRouter } from "../src/http/console.js";
import { errorHandler } from "../src/http/error-mapping.js";
import { findChromium, PageGuard, signIn, waitForText } from "./helpers/browser.js";
import { sweepBody } from "./helpers/schedules.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

const CHROMIUM = findChromium();
const IN_CI = Boolean(process.env.CI);
if (CHROMIUM === undefined && !IN_CI) {
  console.warn("test/web-console.test.ts skipped: no chromium on the PATH (apt-get install -y chromium)");
}

/** Markup and control characters in what the gateway names and says: they must show as text. */
const HOSTILE_PROXY = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_MESSAGE = "<script>window.__pwned=2</script> refused\u001b[31m \u202Egnp.exe";
const SCREENSHOT = resolve("test-results/web-console.png");

const operator = (method: string, path: string, body?: unknown) =>
  h.api(method, path, body, { token: TOKENS.operator });
let h: Harness;

describe("the console's files", () => {
  it("answer a plain 404 when a build left them out, instead of failing the process", async () => {
    const app = express().use("/ui", consoleRouter(pino({ level: "silent" }), "/nonexistent/console/"));
    app.use(errorHandler(pino({ level: "silent" })));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((ok) => server.once("listening", ok));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/ui/`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toBe(
        "the web console is not installed on this server",
      );
    } finally {
      server.close();
    }
  });
});

// A story: the viewer and admin steps look at the rollout the operator's steps drove, so the steps
// keep their order.
describe.skipIf(CHROMIUM === undefined && !IN_CI)(
  "the web console at /ui, in a real browser",
  { shuffle: false },
  () => {
    let browser: Browser | undefined;
    let guard: PageGuard;
    let page: Page;
    let mainId = "";

    beforeAll(async () => {
      if (CHROMIUM === undefined) throw new Error("CI must have chromium on the PATH: .ci/run installs it");
      h = await startHarness(
        "web-console",
        {
          projects: 2,
          proxiesPerProject: 20,
          latencyMs: [20, 40],
          fleet: [{ name: "hostile", proxies: [{ name: HOSTILE_PROXY }, { name: "fine" }] }],
          permanentFailures: [{ project: "hostile", proxy: HOSTILE_PROXY, message: HOSTILE_MESSAGE }],
        },
        {},
        // Slow enough that the second wave runs for a few seconds: there is time to press Pause.
        { gateway: { concurrency: 2, rateLimitPerSecond: 15 } },
      );
      guard = new PageGuard(new URL(h.url).origin);
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
      page = await guard.newPage(browser);
    });
    afterAll(async () => {
      await browser?.close();
      await h?.stop();
    });

    it("serves its files without a token, under a self-only Content-Security-Policy", async () => {
      const redirect = await fetch(`${h.url}/ui`, { redirect: "manual" });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get("location")).toBe("ui/");
      const index = await fetch(`${h.url}/ui/`);
      expect(index.status).toBe(200);
      expect(index.headers.get("content-type")).toMatch(/^text\/html/);
      const csp = index.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("require-trusted-types-for 'script'");
      expect(csp).not.toMatch(/unsafe|https?:/);
      const script = await fetch(`${h.url}/ui/app.js`);
      expect(script.headers.get("content-type")).toMatch(/javascript/);
      expect((await fetch(`${h.url}/ui/nothing.js`)).status).toBe(404);

      expect((await h.api("GET", "/v1/whoami", undefined, { token: null })).status).toBe(401);
      expect((await operator("GET", "/v1/whoami")).body).toEqual({ name: "olga", role: "operator" });
    });

    it("parses event streams split anywhere, CRLF halves included (the page's own module)", async () => {
      await page.goto(`${h.url}/ui/`);
      // A string, so that the test's own bundler leaves the browser's import() alone.
      const events = await page.evaluate(`(async () => {
      const { sseParser } = await import("./sse.js");
      const seen = [];
      const push = sseParser((event) => seen.push(event));
      const pieces = ["retry: 2000\\r", "\\n\\r\\n: heartbeat\\n\\nid: 1\\nevent: roll", "out\\ndata: {\\"a\\"",
        ":1}\\r", "\\n\\r", "\\ndata:x\\n\\n"];
      for (const piece of pieces) push(piece);
      return seen;
    })()`);
      expect(events).toEqual([
        { event: "rollout", data: '{"a":1}' },
        { event: "message", data: "x" },
      ]);
    });

    it("lets an operator watch a rollout live, pause and resume it, and see it succeed", async () => {
      const created = await operator("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["project-001", "project-002"] },
        strategy: { waves: [2, "100%"], pauseBetweenWaves: true },
        description: "CHG-42 <b>console</b>",
      });
      expect(created.status).toBe(202);
      mainId = created.body.id;
      await h.waitForStatus(mainId, ["paused"]);

      await signIn(page, `${h.url}/ui`, TOKENS.operator, "olga · operator");
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: mainId }) });
      await expect(row.getByText("CHG-42 <b>console</b>", { exact: true }).count()).resolves.toBe(1);
      await page.getByRole("link", { name: mainId }).click();

      // Paused between the waves: only Resume and Cancel are offered.
      await waitForText(page, '[data-field="status"]', "paused");
      await waitForText(page, '[data-field="reason"]', "wave 1 of 2 finished; resume to start wave 2");
      await waitForText(page, '[data-field="progress"]', "2/40 targets done");
      expect(await page.locator("#progress").getAttribute("aria-live")).toBe("polite");
      const button = (name: string) => page.getByRole("button", { name, exact: true });
      expect(await button("Pause").isVisible()).toBe(false);

      await button("Resume").click();
      await h.waitForStatus(mainId, ["running"], 5000);
      await waitForText(page, '[data-field="wave"]', "2/2");
      await waitForText(page, '[data-field="status"]', "running");
      await button("Pause").click();
      const paused = await h.waitForStatus(mainId, ["paused"], 5000);
      expect(paused.pausedReason).toBe("paused by olga");
      await waitForText(page, '[data-field="reason"]', "paused by olga");
      expect(await page.locator('[data-field="eta"]').textContent()).toMatch(/^paused/);

      await button("Resume").click();
      await h.waitForStatus(mainId, ["running", "succeeded"], 5000);
      // At 15 requests a second the rest takes seconds: long enough for a measured rate.
      await waitForText(page, '[data-field="eta"]', /^about \d+ s left at \d+\.\d targets\/s$/);
      await waitForText(page, '[data-field="status"]', "succeeded", 20_000);
      await waitForText(page, '[data-field="progress"]', "40/40 targets done");
      await waitForText(page, '[data-count="succeeded"]', "40");
      expect(await page.locator('[data-count="failed"]').textContent()).toBe("0");
      expect(await page.locator('[data-field="eta"]').textContent()).toMatch(/^finished in /);
      expect(await page.locator("#controls button:visible").count()).toBe(0);

      mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`web console screenshot: ${SCREENSHOT}`);

      // The token is in this tab's sessionStorage only.
      const storage = await page.evaluate(`({
      session: Object.keys(sessionStorage).map((key) => sessionStorage.getItem(key)),
      local: localStorage.length,
    })`);
      expect(storage).toEqual({ session: [TOKENS.operator], local: 0 });
      expect(await page.context().cookies()).toEqual([]);
      expect(page.url()).not.toContain(TOKENS.operator);
    });

    it("shows gateway names and messages as text, with the failed targets and a retry", async () => {
      const created = await operator("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["hostile"] },
        // One failure is within the budget: the rollout finishes (failed) instead of pausing.
        strategy: { maxErrors: 1 },
      });
      await h.waitForStatus(created.body.id, ["failed"]);
      await page.goto(`${h.url}/ui/#/rollouts/${created.body.id}`);
      await waitForText(page, '[data-field="status"]', "failed");
      const failedRow = page.locator("tr[data-target]");
      await failedRow.first().waitFor();
      expect(await failedRow.count()).toBe(1);
      const cells = await failedRow.locator("td").allTextContents();
      expect(cells.slice(0, 3)).toEqual(["hostile", HOSTILE_PROXY, "400"]);
      expect(cells[3]).toContain("<script>window.__pwned=2</script> refused\\u001b[31m \\u202egnp.exe");
      expect(await page.evaluate("window.__pwned")).toBeUndefined();
      expect(await page.locator("#view img, #view script").count()).toBe(0);
      // A failed rollout can only be retried.
      const shown = await page.locator("#controls button:visible").allTextContents();
      expect(shown).toEqual(["Retry failed"]);
    });

    it("shows the API's refusal (409) when the state moved on since the page was drawn", async () => {
      const created = await operator("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["project-001"] },
        strategy: { waves: [1, "100%"], pauseBetweenWaves: true },
      });
      const id = created.body.id;
      const stale = JSON.stringify(await h.waitForStatus(id, ["paused"]));
      // This page keeps seeing the paused rollout: no event stream, the old snapshot on every read.
      const other = await guard.newPage(browser as Browser);
      await other.route(`**/v1/rollouts/${id}/events`, (route) => route.abort());
      await other.route(`**/v1/rollouts/${id}`, (route) =>
        route.request().method() === "GET"
          ? route.fulfill({ status: 200, contentType: "application/json", body: stale })
          : route.continue(),
      );
      await signIn(other, `${h.url}/ui/#/rollouts/${id}`, TOKENS.operator, "olga · operator");
      await waitForText(other, '[data-field="status"]', "paused");
      expect((await operator("POST", `/v1/rollouts/${id}/cancel`)).status).toBe(200);
      await other.getByRole("button", { name: "Resume", exact: true }).click();
      await waitForText(
        other,
        "#view [role=alert]",
        "Resume refused: cannot resume a rollout that is cancelled; resume is allowed when it is paused",
      );
      await other.context().close();
    });

    it("shows a viewer no control buttons and no admin sections", async () => {
      const viewer = await guard.newPage(browser as Browser);
      await signIn(viewer, `${h.url}/ui/#/rollouts/${mainId}`, TOKENS.viewer, "victor · viewer");
      await waitForText(viewer, '[data-field="status"]', "succeeded");
      expect(await viewer.getByRole("button").allTextContents()).toEqual(["Sign out"]);
      expect(await viewer.getByRole("link", { name: "Audit" }).count()).toBe(0);
      await viewer.context().close();
    });

    it("shows an admin the schedules and the audit trail; signing out forgets the token", async () => {
      expect((await h.api("PUT", "/v1/schedules/nightly-audit", sweepBody())).status).toBe(201);
      const admin = await guard.newPage(browser as Browser);
      await signIn(admin, `${h.url}/ui`, TOKENS.admin, "alice · admin");
      await admin.getByRole("link", { name: "Schedules" }).click();
      await admin.getByRole("cell", { name: "nightly-audit", exact: true }).waitFor();
      await admin.getByRole("link", { name: "Audit" }).click();
      const created = admin
        .getByRole("row")
        .filter({ hasText: "rollout.create" })
        .filter({ hasText: mainId });
      await created.first().waitFor();
      expect(await created.first().getByRole("cell", { name: "olga", exact: true }).count()).toBe(1);

      await admin.getByRole("button", { name: "Sign out" }).click();
      await admin.getByLabel("API token").waitFor();
      expect(await admin.evaluate("sessionStorage.length")).toBe(0);
      await admin.reload();
      await admin.getByLabel("API token").waitFor();
      expect(await admin.locator("#session").isVisible()).toBe(false);
      await admin.context().close();
      expect(guard.problems).toEqual([]);
    });
  },
);
