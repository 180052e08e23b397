import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RolloutEngine } from "../src/engine/engine.js";
import { policySchema, type RolloutSpec } from "../src/rollouts/schema.js";
import { Keys } from "../src/store/keys.js";
import { newRolloutFields } from "../src/store/rollout-fields.js";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { type Harness, harnessEnv, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const CONCURRENCY = 16;
const WORKER_READY = /workers started/;

// One job per proxy, and batch jobs of 16 proxies.
describe.each([1, 16])(
  "kill -9 of a worker in the middle of a 2,000-target rollout (targetsPerJob %i)",
  (targetsPerJob) => {
    let h: Harness;
    const workers: ServiceProcess[] = [];
    let env: Record<string, string>;

    beforeAll(async () => {
      // This process serves the API only; workers are separate processes we can kill.
      h = await startHarness(
        `crash-${targetsPerJob}`,
        { projects: 2, proxiesPerProject: 1000, latencyMs: [2, 8] },
        {},
        { mode: "api", gateway: { targetsPerJob } },
      );
      env = {
        ...h.env,
        ENFORCER_WORKER_CONCURRENCY: String(CONCURRENCY),
        ENFORCER_LOCK_DURATION_MS: "2000",
        ENFORCER_RECONCILE_AFTER_MS: "3000",
        LOG_LEVEL: "info",
      };
    });
    afterAll(async () => {
      for (const w of workers) w.child.kill("SIGKILL");
      await h?.stop();
    });

    it("ends with every target terminal, none lost, at most one extra PATCH per in-flight target", async () => {
      workers.push(await spawnService("worker", env, WORKER_READY));
      const created = await h.api("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["*"] },
        strategy: { waves: ["25%"] },
      });
      expect(created.status).toBe(202);

      // First kill: while the first wave is in flight.
      await waitFor("200 PATCHes", () => (h.sim.state.totalPatches() >= 200 ? true : undefined));
      workers[0]?.child.kill("SIGKILL");
      expect(await workers[0]?.exited).toBe("SIGKILL");
      const atFirstKill = h.sim.state.totalPatches();

      // Second worker; killed again in the second wave.
      workers.push(await spawnService("worker", env, WORKER_READY));
      await waitFor("900 PATCHes", () => (h.sim.state.totalPatches() >= 900 ? true : undefined), 30_000);
      workers[1]?.child.kill("SIGKILL");
      await workers[1]?.exited;

      // Two workers take over; their stalled-job checks bring the killed worker's jobs back.
      workers.push(await spawnService("worker", env, WORKER_READY));
      workers.push(await spawnService("worker", env, WORKER_READY));
      const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"], 90_000);

      expect(done.status).toBe("succeeded");
      expect(done.counts).toMatchObject({ total: 2000, succeeded: 2000, pending: 0, running: 0, failed: 0 });
      const proxies = h.sim.state.proxies();
      expect(proxies).toHaveLength(2000);
      expect(proxies.every((p) => p.patchCount >= 1)).toBe(true);
      const twice = proxies.filter((p) => p.patchCount === 2).length;
      expect(proxies.every((p) => p.patchCount <= 2)).toBe(true);
      // Only the jobs in flight at each kill can have been sent again.
      expect(twice).toBeLessThanOrEqual(2 * CONCURRENCY);
      expect(atFirstKill).toBeGreaterThanOrEqual(200);
      console.info(`crash test: ${twice} proxies patched twice after two kills`);
    }, 120_000);
  },
);

describe("process lifecycle", () => {
  let h: Harness;
  let env: Record<string, string>;
  const started: ServiceProcess[] = [];
  beforeAll(async () => {
    h = await startHarness(
      "lifecycle",
      { projects: 1, proxiesPerProject: 300, latencyMs: 20 },
      {},
      { mode: "api" },
    );
    env = { ...harnessEnv(h.sim.url, h.prefix), ENFORCER_WORKER_CONCURRENCY: "8", LOG_LEVEL: "info" };
  });
  afterAll(async () => {
    for (const w of started) w.child.kill("SIGKILL");
    await h?.stop();
  });

  it("SIGTERM finishes in-flight calls and exits 0; nothing is sent twice", async () => {
    const first = await spawnService("worker", env, WORKER_READY);
    started.push(first);
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    await waitFor("50 PATCHes", () => (h.sim.state.totalPatches() >= 50 ? true : undefined));
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const mid = await h.api("GET", `/v1/rollouts/${created.body.id}`);
    // Nothing failed on the way out; the targets still on the queue (`running`) wait for a worker.
    expect(mid.body.counts).toMatchObject({ failed: 0, total: 300 });
    expect(mid.body.counts.running).toBeLessThanOrEqual(500);

    started.push(await spawnService("worker", env, WORKER_READY));
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"], 30_000);
    expect(done.counts.succeeded).toBe(300);
    expect(h.sim.state.proxies().every((p) => p.patchCount === 1)).toBe(true);
  }, 60_000);

  it("a rollout whose plan job was lost (API killed after saving it) is planned by the reconciler", async () => {
    const redis = new Redis(env.REDIS_URL ?? "");
    const engine = new RolloutEngine(redis, new Keys(h.prefix), { eventsMaxLen: 1000, window: 100 });
    const spec: RolloutSpec = {
      gateway: "default",
      policy: policySchema.parse(POLICY),
      targets: { projects: ["*"] },
      dryRun: true,
    };
    const id = `r${Date.now().toString(36).padStart(9, "0")}lostplan`;
    // What the API saved before it died: the rollout, but no plan job.
    await engine.create(id, newRolloutFields(spec, "alice", new Date(Date.now() - 10_000)), {
      actor: "alice",
      action: "create",
    });
    redis.disconnect();
    if (started.every((w) => w.child.exitCode !== null))
      started.push(await spawnService("worker", env, WORKER_READY));
    const done = await h.waitForStatus(id, ["succeeded", "failed"], 20_000);
    expect(done.counts.planned).toBe(300);
  }, 30_000);
});
