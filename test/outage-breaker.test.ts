// A 90 s manager outage during a rollout: the rollout pauses within the breaker's window instead
// of burning retries, only probes reach the manager meanwhile, and (with autoResume) it finishes
// once the manager answers again, every proxy sent at most twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const OUTAGE_MS = 90_000;
/** ENFORCER_OUTAGE_WINDOW_SECONDS' default: the breaker trips at the latest this long after the first failure. */
const WINDOW_MS = 60_000;

describe("the outage breaker", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "outage",
      { projects: 1, proxiesPerProject: 200, latencyMs: 10 },
      {
        ENFORCER_OUTAGE_FAILURES: "8",
        ENFORCER_OUTAGE_AUTO_RESUME: "true",
        ENFORCER_WORKER_CONCURRENCY: "8",
      },
    );
  });
  afterAll(() => h?.stop());

  it("pauses the rollout when the manager goes down and resumes it when it is back", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
    });
    await waitFor("a first few proxies patched", () => (h.sim.state.totalPatches() >= 20 ? true : undefined));
    h.sim.state.update({ faults: { rate503: 1 } });
    const downAt = Date.now();
    const paused = await h.waitForStatus(created.body.id, ["paused", "failed", "succeeded"], WINDOW_MS);
    const pausedAfterMs = Date.now() - downAt;
    expect(paused.status).toBe("paused");
    expect(paused.pausedReason).toMatch(/^gateway unavailable/);
    const sentWhileDown = () => h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    const atPause = sentWhileDown();
    // Down for the whole outage: probes only (one every 2 s), no PATCH.
    const probes = () => h.sim.state.requestCounts()["GET hello"] ?? 0;
    const probesAtPause = probes();
    await waitFor(
      "the outage to last 90 s",
      () => (Date.now() - downAt >= OUTAGE_MS ? true : undefined),
      OUTAGE_MS + 10_000,
      500,
    );
    const probed = probes() - probesAtPause;
    console.info(
      `outage: paused after ${pausedAfterMs} ms, ${probed} probes and ${sentWhileDown() - atPause} PATCHes in 90 s`,
    );
    expect(sentWhileDown() - atPause).toBeLessThanOrEqual(8);
    expect(probed).toBeGreaterThanOrEqual(10);
    // About one probe each 2 s: nothing hammers a manager that is down.
    expect(probed).toBeLessThanOrEqual(OUTAGE_MS / 2000 + 5);

    h.sim.state.update({ faults: {} });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"], 60_000);
    expect(done.counts).toMatchObject({ succeeded: 200, failed: 0 });
    const sends = h.sim.state.proxies().map((p) => p.patchRequests ?? 0);
    expect(Math.max(...sends)).toBeLessThanOrEqual(2);
    const audit = (await h.api("GET", "/v1/audit?limit=1000")).body.items as Array<{
      action: string;
      actor: string;
    }>;
    expect(
      audit.filter((e) => e.actor === "system" && e.action === "rollout.pause").length,
    ).toBeLessThanOrEqual(1);
  }, 240_000);
});
