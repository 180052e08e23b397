import { afterEach, describe, expect, it } from "vitest";
import type { Flavour } from "../src/simulator/types.js";
import { GATEWAY_TOKEN, type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const start = async (...args: Parameters<typeof startHarness>) => {
  h = await startHarness(...args);
  return h;
};

describe("gateway failures", () => {
  it.each<Flavour>(["classic", "newer"])(
    "a permanent 400 fails its target after one PATCH with the gateway's message (%s)",
    async (flavour) => {
      const h = await start(`perm-${flavour}`, {
        flavour,
        projects: 1,
        proxiesPerProject: 10,
        permanentFailures: [
          { project: "project-001", proxy: "proxy-00004", message: "Routing is locked by policy" },
        ],
      });
      const created = await h.api("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["project-001"] },
        strategy: { maxErrors: 3 },
      });
      const done = await h.waitForStatus(created.body.id, ["failed", "succeeded", "paused"]);
      expect(done.status).toBe("failed");
      expect(done.counts).toMatchObject({ succeeded: 9, failed: 1 });
      const failed = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=failed`);
      expect(failed.body.items).toEqual([
        expect.objectContaining({
          proxy: "proxy-00004",
          attempts: 1,
          error: { httpStatus: 400, message: "Routing is locked by policy" },
        }),
      ]);
      expect(h.sim.state.requestCounts()["PATCH mtls"]).toBe(10);
    },
  );

  it("503s, 429s with Retry-After, connection resets and hangs all end succeeded", async () => {
    const h = await start(
      "faults",
      {
        projects: 2,
        proxiesPerProject: 50,
        seed: 7,
        faults: {
          rate503: 0.1,
          rate429: 0.05,
          retryAfterSeconds: 1,
          rateReset: 0.05,
          rateHang: 0.02,
          appliesTo: "writes",
        },
      },
      { ENFORCER_GATEWAY_TIMEOUT_MS: "300" },
    );
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    const done = await h.waitForStatus(created.body.id, ["failed", "succeeded", "paused"], 60_000);
    expect(done.counts).toMatchObject({ total: 100, succeeded: 100, failed: 0 });
    expect(done.status).toBe("succeeded");
    for (const record of h.sim.state.proxies()) {
      expect(record.mtls, `${record.project}/${record.name}`).toMatchObject(POLICY.mtls);
    }
    const counts = h.sim.state.requestCounts();
    expect(counts["PATCH mtls"]).toBeGreaterThan(100);
    const metrics = await h.api("GET", "/metrics");
    expect(metrics.body).toMatch(/enforcer_gateway_retries_total\{gateway="default",reason="503"\} \d+/);
  });

  it.each(["inline", "endpoint"])(
    "a deployment failing under HTTP 200 fails the target (%s deploy)",
    async (style) => {
      const flavour = style === "inline" ? "newer" : "classic";
      const h = await start(
        `deploy-${style}`,
        {
          flavour,
          projects: 1,
          proxiesPerProject: 3,
          deployFailures: [
            {
              project: "project-001",
              proxy: "proxy-00002",
              environment: "production",
              message: "gateway pods not ready",
            },
          ],
        },
        {},
        { gateway: { deployStyle: style as "inline" | "endpoint" } },
      );
      const created = await h.api("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["project-001"] },
        deploy: { environments: ["test", "production"] },
        strategy: { maxErrors: 1 },
      });
      const done = await h.waitForStatus(created.body.id, ["failed", "succeeded", "paused"]);
      expect(done.status).toBe("failed");
      expect(done.counts).toMatchObject({ succeeded: 2, failed: 1 });
      const failed = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=failed`);
      expect(failed.body.items[0].proxy).toBe("proxy-00002");
      expect(failed.body.items[0].error.message).toMatch(/production.*gateway pods not ready/);
      expect(h.sim.state.proxy("project-001", "proxy-00001")?.deploys).toEqual(["test", "production"]);
      expect(h.sim.state.requestCounts()["POST deploy"] ?? 0).toBe(style === "endpoint" ? 6 : 0);
    },
  );

  it("a gateway 401 pauses the rollout at once", async () => {
    const h = await start(
      "auth",
      { projects: 1, proxiesPerProject: 300, latencyMs: 20 },
      { ENFORCER_WORKER_CONCURRENCY: "8" },
    );
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
    });
    await waitFor("a few targets done", () => (h.sim.state.totalPatches() >= 20 ? true : undefined));
    // The token is revoked mid-rollout.
    h.sim.state.update({ token: "rotated-token" });
    const patchesAtRevocation = h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    const paused = await h.waitForStatus(created.body.id, ["paused", "failed", "succeeded"]);
    expect(paused.pausedReason).toMatch(/gateway authentication failed/);
    const settled = await waitFor("in-flight calls to settle", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${created.body.id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    const sentAfter = (h.sim.state.requestCounts()["PATCH mtls"] ?? 0) - patchesAtRevocation;
    expect(sentAfter).toBeLessThanOrEqual(8 + 4);
    expect(settled.counts.failed).toBe(0);
    expect(settled.counts.succeeded + settled.counts.pending).toBe(300);

    // The token is fixed at the gateway: resume finishes the job, each proxy patched once.
    h.sim.state.update({ token: GATEWAY_TOKEN });
    const resumed = await h.api("POST", `/v1/rollouts/${created.body.id}/resume`);
    expect(resumed.status).toBe(200);
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done.counts.succeeded).toBe(300);
    expect(h.sim.state.totalPatches()).toBe(300);
  });
});
