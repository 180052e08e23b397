import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

// 40 proxies; proxy-00003 and proxy-00007 always refuse the PATCH.
const FAILING = ["proxy-00003", "proxy-00007"];

describe("waves, error budget and operator control", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("control", {
      projects: 1,
      proxiesPerProject: 40,
      permanentFailures: FAILING.map((proxy) => ({ project: "project-001", proxy, message: "locked" })),
    });
  });
  afterAll(() => h?.stop());

  const patched = (from: number, to: number) =>
    Array.from(
      { length: to - from + 1 },
      (_, i) =>
        h.sim.state.proxy("project-001", `proxy-${String(from + i).padStart(5, "0")}`)?.patchCount ?? 0,
    );

  it("pauses after the wave whose failures exceed maxErrors, and sends nothing of later waves", async () => {
    h.sim.state.reset();
    // Waves: 1, 10, 20, 40 targets. Budget "2%" of 40 = 0 failures tolerated.
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
      strategy: { waves: [1, 10, "50%"], maxErrors: "2%" },
    });
    const paused = await h.waitForStatus(created.body.id, ["paused", "failed", "succeeded"]);
    // Failures finishing in the same step are counted together: one or both of wave 2's.
    expect(paused.pausedReason).toMatch(/error budget exceeded: [12] failed targets > maxErrors 0/);
    expect(paused.wave).toEqual({ current: 2, total: 4 });
    const settled = await waitFor("in-flight to settle", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${created.body.id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    // Nothing beyond wave 2 (targets 1..10) was sent.
    expect(patched(11, 40).every((n) => n === 0)).toBe(true);
    expect(h.sim.state.requestCounts()["PATCH mtls"]).toBeLessThanOrEqual(10);

    expect(settled.counts.pending).toBeGreaterThanOrEqual(30);

    // Cancel: every pending target ends cancelled; the rollout is terminal.
    const cancelled = await h.api("POST", `/v1/rollouts/${created.body.id}/cancel`);
    expect(cancelled.body.status).toBe("cancelled");
    const final = await waitFor("no running targets", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${created.body.id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    const c = final.counts;
    expect(c.pending).toBe(0);
    expect(c.succeeded + c.failed + c.cancelled).toBe(40);
    expect(c.cancelled).toBe(settled.counts.pending);
    const one = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=cancelled&limit=1`);
    expect(one.body.items[0].reason).toBe("cancelled by alice");

    // A terminal rollout refuses pause/resume/cancel with a clear 409.
    for (const action of ["pause", "resume", "cancel"]) {
      const refused = await h.api("POST", `/v1/rollouts/${created.body.id}/${action}`);
      expect(refused.status, action).toBe(409);
      expect(refused.body.message).toMatch(new RegExp(`cannot ${action} a rollout that is cancelled`));
    }
  });

  it("pauseBetweenWaves waits for a human, and retry re-sends only the failed targets", async () => {
    h.sim.state.reset();
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
      strategy: { waves: ["50%"], maxErrors: 5, pauseBetweenWaves: true },
    });
    const paused = await h.waitForStatus(created.body.id, ["paused"]);
    expect(paused.pausedReason).toBe("wave 1 of 2 finished; resume to start wave 2");
    expect(paused.counts).toMatchObject({ succeeded: 18, failed: 2, pending: 20 });
    expect(patched(21, 40).every((n) => n === 0)).toBe(true);

    await h.api("POST", `/v1/rollouts/${created.body.id}/resume`);
    const finished = await h.waitForStatus(created.body.id, ["failed", "succeeded"]);
    expect(finished.status).toBe("failed");
    expect(finished.counts).toMatchObject({ succeeded: 38, failed: 2 });

    // The gateway no longer refuses: retry re-queues exactly the failed two.
    h.sim.state.reset();
    const retried = await h.api("POST", `/v1/rollouts/${created.body.id}/retry`);
    expect(retried.status).toBe(200);
    const done = await h.waitForStatus(created.body.id, ["failed", "succeeded"]);
    // reset() restores the permanent failures, so they fail again, each with exactly one more PATCH.
    expect(done.counts).toMatchObject({ succeeded: 38, failed: 2 });
    expect(h.sim.state.requestCounts()["PATCH mtls"]).toBe(2);
    const failed = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=failed`);
    expect(failed.body.items.map((t: { proxy: string; attempts: number }) => [t.proxy, t.attempts])).toEqual([
      ["proxy-00003", 2],
      ["proxy-00007", 2],
    ]);
  });

  it("pause stops new PATCHes; resume continues where it stopped", async () => {
    h.sim.state.reset();
    // Slow enough that the pause lands while most targets wait, even on a loaded machine.
    h.sim.state.update({ latencyMs: 200 });
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"], exclude: FAILING },
    });
    await waitFor("some progress", () => (h.sim.state.totalPatches() >= 3 ? true : undefined));
    const paused = await h.api("POST", `/v1/rollouts/${created.body.id}/pause`, undefined, {
      token: "operator-secret-1",
    });
    expect(paused.status).toBe(200);
    expect(paused.body.pausedReason).toBe("paused by olga");
    const settled = await waitFor("in-flight to settle", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${created.body.id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    const sentAtPause = h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    // An absence can only be watched for a while: more than a job's time at this latency.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.sim.state.requestCounts()["PATCH mtls"]).toBe(sentAtPause);
    expect(settled.counts.pending).toBeGreaterThan(0);
    expect((await h.api("POST", `/v1/rollouts/${created.body.id}/pause`)).status).toBe(409);
    expect((await h.api("POST", `/v1/rollouts/${created.body.id}/retry`)).status).toBe(409);

    await h.api("POST", `/v1/rollouts/${created.body.id}/resume`);
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done.counts.succeeded).toBe(38);
    expect(h.sim.state.proxies().every((p) => p.patchCount <= 1)).toBe(true);
    h.sim.state.update({ latencyMs: 0 });
  });
});
