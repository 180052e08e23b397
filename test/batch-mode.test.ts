// Batch mode (a gateway's targetsPerJob > 1): a job carries several proxies, yet each proxy is
// sent, retried and recorded on its own, and pause, cancel and a gateway 401 still stop new calls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const BATCH = { gateway: { targetsPerJob: 16 } };

describe("batch mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "batch",
      {
        projects: 2,
        proxiesPerProject: 150,
        seed: 11,
        latencyMs: [2, 10],
        permanentFailures: [{ project: "project-001", proxy: "proxy-00007", message: "locked" }],
      },
      { ENFORCER_WORKER_CONCURRENCY: "8" },
      BATCH,
    );
  });
  afterAll(() => h?.stop());

  it("sends each proxy once, fails only the refusing one, and re-sends only retryable ones", async () => {
    h.sim.state.reset();
    // Every fourth write fails with a 503 or a reset: retried per proxy, inside and across jobs.
    h.sim.state.update({ faults: { rate503: 0.15, rateReset: 0.1, appliesTo: "writes" } });
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { maxErrors: 5 },
    });
    const done = await h.waitForStatus(created.body.id, ["failed", "succeeded", "paused"], 60_000);
    h.sim.state.update({ faults: {} });
    expect(done.status).toBe("failed");
    expect(done.counts).toMatchObject({ total: 300, succeeded: 299, failed: 1, pending: 0, running: 0 });
    const failed = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=failed`);
    expect(failed.body.items[0]).toMatchObject({
      proxy: "proxy-00007",
      error: { httpStatus: 400, message: "locked" },
    });
    // Each proxy saved once: a faulted write changes nothing, a successful one is never repeated.
    expect(
      h.sim.state
        .proxies()
        .filter((p) => p.name !== "proxy-00007")
        .every((p) => p.patchCount === 1),
    ).toBe(true);
    const retried = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?limit=1000`);
    const attempts = retried.body.items.map((t: { attempts: number }) => t.attempts);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });

  it("pause stops new calls within a second; resume and cancel work on batch jobs", async () => {
    h.sim.state.reset();
    h.sim.state.update({ latencyMs: 50 });
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { maxErrors: 5 },
    });
    await waitFor("some progress", () => (h.sim.state.totalPatches() >= 20 ? true : undefined));
    expect((await h.api("POST", `/v1/rollouts/${created.body.id}/pause`)).status).toBe(200);
    const pausedAt = Date.now();
    await waitFor("a second after the pause", () => (Date.now() - pausedAt >= 1200 ? true : undefined));
    const settled = await waitFor("in-flight calls to settle", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${created.body.id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    const quiet = h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    await waitFor("another half second", () => (Date.now() - pausedAt >= 1700 ? true : undefined));
    expect(h.sim.state.requestCounts()["PATCH mtls"] ?? 0).toBe(quiet);
    expect(settled.counts.pending).toBeGreaterThan(0);

    h.sim.state.update({ latencyMs: 0 });
    expect((await h.api("POST", `/v1/rollouts/${created.body.id}/resume`)).status).toBe(200);
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"], 30_000);
    expect(done.counts.succeeded + done.counts.failed).toBe(300);
    expect(h.sim.state.proxies().every((p) => p.patchCount <= 1)).toBe(true);
  });

  it("a gateway 401 pauses the rollout and nothing more is sent", async () => {
    h.sim.state.reset();
    h.sim.state.update({ latencyMs: 20 });
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-002"] },
    });
    await waitFor("a few targets done", () => (h.sim.state.totalPatches() >= 10 ? true : undefined));
    h.sim.state.update({ token: "rotated-token" });
    const paused = await h.waitForStatus(created.body.id, ["paused"]);
    expect(paused.pausedReason).toMatch(/gateway authentication failed/);
    const settled = await waitFor("in-flight calls to settle", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${created.body.id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    expect(settled.counts.failed).toBe(0);
    expect((await h.api("POST", `/v1/rollouts/${created.body.id}/cancel`)).status).toBe(200);
    const cancelled = await h.api("GET", `/v1/rollouts/${created.body.id}`);
    expect(cancelled.body.counts.cancelled).toBe(settled.counts.pending);
    h.sim.state.update({ token: "gw-secret-token-3f9a7c1e", latencyMs: 0 });
  });
});
