// A plan job killed again and again runs out of BullMQ's stall allowance and lands in its failed
// set: the rollout must end `failed` with the reason, never stay `planning` forever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { type Harness, harnessEnv, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

describe("a plan job killed five times", () => {
  let h: Harness;
  const started: ServiceProcess[] = [];
  beforeAll(async () => {
    // Every listing hangs, so planning is always in flight when the worker is killed.
    h = await startHarness(
      "plan-kills",
      { projects: 1, proxiesPerProject: 5, faults: { rateHang: 1 } },
      {},
      { mode: "api" },
    );
  });
  afterAll(async () => {
    for (const w of started) w.child.kill("SIGKILL");
    await h?.stop();
  });

  it("ends failed with the reason", async () => {
    const env = {
      ...harnessEnv(h.sim.url, h.prefix),
      ENFORCER_LOCK_DURATION_MS: "1000",
      ENFORCER_RECONCILE_AFTER_MS: "1000",
      ENFORCER_GATEWAY_TIMEOUT_MS: "60000",
      LOG_LEVEL: "info",
    };
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    expect(created.status).toBe(202);
    const id = created.body.id;
    // Planning's gateway calls: the token check, then the listings.
    const listings = () => {
      const counts = h.sim.state.requestCounts();
      return (counts["GET hello"] ?? 0) + (counts["GET projects"] ?? 0) + (counts["GET proxies"] ?? 0);
    };
    let kills = 0;
    for (; kills < 5; kills++) {
      const seen = listings();
      const worker = await spawnService("worker", env, /workers started/);
      started.push(worker);
      const next = await waitFor(
        "the plan job to list again, or the rollout to fail",
        async () => {
          if (listings() > seen) return "listing";
          const { body } = await h.api("GET", `/v1/rollouts/${id}`);
          return body.status === "failed" ? "failed" : undefined;
        },
        20_000,
      );
      if (next === "failed") break;
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    if (started.every((w) => w.child.exitCode !== null || w.child.signalCode !== null))
      started.push(await spawnService("worker", env, /workers started/));
    const failed = await h.waitForStatus(id, ["failed"], 30_000);
    expect(failed.failureReason).toMatch(/^planning failed: /);
    expect(kills).toBeGreaterThanOrEqual(3);
    console.info(`plan-kills: ${kills} kills, then "${failed.failureReason}"`);
  }, 120_000);
});
