import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

describe("a 429 with Retry-After slows the gateway's whole queue", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "ratelimited",
      {
        projects: 1,
        proxiesPerProject: 60,
        faults: { rate429: 1, retryAfterSeconds: 2, appliesTo: "writes" },
      },
      { ENFORCER_WORKER_CONCURRENCY: "8" },
    );
  });
  afterAll(() => h?.stop());

  it("waits Retry-After before the queue sends again, then finishes with every target once", async () => {
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    const patches = () => h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    await waitFor("the first 429s", () => (patches() > 0 ? true : undefined));
    const first = Date.now();
    // Retry-After is 2 s: until then the gateway gets at most the one round already in flight
    // (8 calls), and no proxy twice; a queue that ignored it would send again after its 1 s window.
    await waitFor("1.8 s after the first 429", () => (Date.now() - first >= 1800 ? true : undefined));
    expect(patches()).toBeLessThanOrEqual(8);
    expect(h.sim.state.proxies().every((p) => (p.patchRequests ?? 0) <= 1)).toBe(true);
    expect(h.sim.state.totalPatches()).toBe(0);

    h.sim.state.update({ faults: {} });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"], 30_000);
    expect(done.status).toBe("succeeded");
    expect(h.sim.state.totalPatches()).toBe(60);
    const metrics = await h.api("GET", "/metrics", undefined, { token: null });
    expect(metrics.body).toMatch(
      /enforcer_gateway_requests_total\{gateway="default",operation="update_mtls",code="429"\} \d+/,
    );
  });
});
