// A worker stopped while the gateway takes 25 s per call must exit within its shutdown limit
// (compose sends SIGKILL 30 s after SIGTERM), and its targets are finished by another worker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { type Harness, harnessEnv, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const LIMIT_MS = 3000;

describe("shutdown deadline", () => {
  let h: Harness;
  const started: ServiceProcess[] = [];
  beforeAll(async () => {
    h = await startHarness("shutdown", { projects: 1, proxiesPerProject: 500 }, {}, { mode: "api" });
  });
  afterAll(async () => {
    for (const w of started) w.child.kill("SIGKILL");
    await h?.stop();
  });

  it("exits within ENFORCER_SHUTDOWN_TIMEOUT_MS (+1 s) with calls in flight; nothing is lost", async () => {
    const env = {
      ...harnessEnv(h.sim.url, h.prefix),
      ENFORCER_SHUTDOWN_TIMEOUT_MS: String(LIMIT_MS),
      ENFORCER_GATEWAY_TIMEOUT_MS: "60000",
      ENFORCER_LOCK_DURATION_MS: "2000",
      ENFORCER_WORKER_CONCURRENCY: "4",
      LOG_LEVEL: "info",
    };
    const worker = await spawnService("worker", env, /workers started/);
    started.push(worker);
    const patches = () => h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    // Listing answers at once; from the first PATCH on, every call takes 25 s.
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    await waitFor("the first PATCH", () => (patches() > 0 ? true : undefined));
    h.sim.state.update({ latencyMs: 25_000 });
    const before = patches();
    await waitFor("4 slow PATCHes in flight", () => (patches() >= before + 4 ? true : undefined));
    const stopping = Date.now();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const took = Date.now() - stopping;
    console.info(
      `shutdown: exited ${took} ms after SIGTERM with 4 calls of 25 s in flight (limit ${LIMIT_MS} ms)`,
    );
    expect(took).toBeLessThan(LIMIT_MS + 1000);

    h.sim.state.update({ latencyMs: 0 });
    started.push(await spawnService("worker", env, /workers started/));
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"], 30_000);
    expect(done.counts).toMatchObject({ total: 500, succeeded: 500 });
  }, 60_000);
});
