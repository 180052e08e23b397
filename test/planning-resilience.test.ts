// Planning meets a bad token or a manager outage: it pauses or waits, instead of failing a rollout
// that would have to be created again.
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { CONTROL_QUEUE, jobIds } from "../src/queue/queue-names.js";
import { REDIS_URL } from "./helpers/redis.js";
import { GATEWAY_TOKEN, type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const BODY = { policy: POLICY, targets: { projects: ["project-001"] } };

describe("planning", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("a wrong gateway token pauses the rollout before any listing; resume plans it again", async () => {
    h = await startHarness("plan-token", { projects: 1, proxiesPerProject: 5 });
    const harness = h;
    harness.sim.state.update({ token: "not-the-configured-token" });
    const created = await harness.api("POST", "/v1/rollouts", BODY);
    const paused = await harness.waitForStatus(created.body.id, ["paused", "failed", "succeeded"]);
    expect(paused).toMatchObject({ status: "paused", counts: { total: 0 } });
    expect(paused.pausedReason).toMatch(/gateway authentication failed/);
    const counts = harness.sim.state.requestCounts();
    expect(counts["GET hello"]).toBeGreaterThanOrEqual(1);
    expect(counts["GET projects"] ?? 0).toBe(0);
    expect(counts["GET proxies"] ?? 0).toBe(0);

    harness.sim.state.update({ token: GATEWAY_TOKEN });
    const resumed = await harness.api("POST", `/v1/rollouts/${created.body.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe("planning");
    const done = await harness.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done.counts).toMatchObject({ total: 5, succeeded: 5 });
  });

  it("a paused-at-planning rollout can be cancelled", async () => {
    h = await startHarness("plan-token-cancel", { projects: 1, proxiesPerProject: 2, token: "other-token" });
    const created = await h.api("POST", "/v1/rollouts", BODY);
    await h.waitForStatus(created.body.id, ["paused"]);
    const cancelled = await h.api("POST", `/v1/rollouts/${created.body.id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: "cancelled", counts: { total: 0 } });
  });

  it("rides out a manager outage longer than the plan job's old five attempts", async () => {
    h = await startHarness("plan-outage", { projects: 1, proxiesPerProject: 5 });
    const harness = h;
    harness.sim.state.update({ faults: { rate503: 1 } });
    const created = await harness.api("POST", "/v1/rollouts", BODY);
    // Five failed plan attempts used to end the rollout `failed`.
    const control = new Queue(CONTROL_QUEUE, { connection: { url: REDIS_URL }, prefix: harness.prefix });
    try {
      await waitFor(
        "a sixth plan attempt",
        async () =>
          ((await control.getJob(jobIds.plan(created.body.id)))?.attemptsMade ?? 0) >= 5 || undefined,
        80_000,
      );
    } finally {
      await control.close();
    }
    expect((await harness.api("GET", `/v1/rollouts/${created.body.id}`)).body.status).toBe("planning");
    harness.sim.state.update({ faults: {} });
    const done = await harness.waitForStatus(created.body.id, ["succeeded", "failed"], 60_000);
    expect(done.counts).toMatchObject({ total: 5, succeeded: 5 });
  }, 150_000);
});

describe("GET /v1/gateways", () => {
  it("reports each gateway's reachability and whether it takes the configured token", async () => {
    const h = await startHarness("gateway-status", { projects: 1, proxiesPerProject: 1 });
    try {
      expect((await h.api("GET", "/v1/gateways")).body.items).toEqual([
        { name: "default", reachable: true, tokenValid: true },
      ]);
      h.sim.state.update({ token: "rotated" });
      const [refused] = (await h.api("GET", "/v1/gateways")).body.items;
      expect(refused).toMatchObject({ name: "default", reachable: true, tokenValid: false });
      expect(JSON.stringify(refused)).not.toContain(GATEWAY_TOKEN);
      expect((await h.api("GET", "/v1/gateways", undefined, { token: null })).status).toBe(401);
    } finally {
      await h.stop();
    }
  });
});
