import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";

// One job per proxy (BullMQ's queue-wide limits), and batch jobs of 16 (the gateway limiter).
describe.each([1, 16])(
  "per-gateway limits shared by every worker process (targetsPerJob %i)",
  (targetsPerJob) => {
    let h: Harness;
    let extra: ServiceProcess | undefined;
    beforeAll(async () => {
      h = await startHarness(
        `limits-${targetsPerJob}`,
        { projects: 1, proxiesPerProject: 60, latencyMs: 40 },
        {},
        { gateway: { concurrency: 3, rateLimitPerSecond: 40, targetsPerJob } },
      );
      // A second worker process on the same queues: the limits must hold for both together.
      extra = await spawnService("worker", { ...h.env, LOG_LEVEL: "info" }, /workers started/);
    });
    afterAll(async () => {
      extra?.child.kill("SIGKILL");
      await h?.stop();
    });

    it("never has more calls in flight than the gateway's concurrency, nor more per second than its rate", async () => {
      const started = Date.now();
      const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
      const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"], 30_000);
      const seconds = (Date.now() - started) / 1000;
      expect(done.counts.succeeded).toBe(60);
      expect(h.sim.state.proxies().every((p) => p.patchCount === 1)).toBe(true);
      // 2 worker processes × 16 concurrency would allow 32; the gateway allows 3.
      expect(h.sim.state.peakConcurrency()).toBeLessThanOrEqual(3);
      // 60 PATCHes at 3 in flight × 40 ms each cannot finish in under 0.8 s; at 40/s, not under ~1 s.
      expect(seconds).toBeGreaterThan(0.8);
      // 60 calls spaced at 40/s take at least 59 / 40 s.
      if (targetsPerJob > 1) expect(seconds).toBeGreaterThan(59 / 40);
    });
  },
);
