import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneRollouts } from "../src/queue/pruner.js";
import { Keys } from "../src/store/keys.js";
import { RolloutStore } from "../src/store/rollout-store.js";
import { REDIS_URL } from "./helpers/redis.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";

const DAY_MS = 24 * 3600 * 1000;

describe("retention of finished rollouts", () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    h = await startHarness("retention", { projects: 1, proxiesPerProject: 50, latencyMs: 200 });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  it("deletes finished rollouts past the retention with all their targets, and keeps unfinished ones", async () => {
    const finished = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      dryRun: true,
    });
    await h.waitForStatus(finished.body.id, ["succeeded"]);
    const running = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    await h.waitForStatus(running.body.id, ["running"]);
    const keysOfFinished = () => redis.keys(`${new Keys(h.prefix).rollout(finished.body.id)}*`);
    expect(await keysOfFinished()).not.toHaveLength(0);

    const store = new RolloutStore(redis, h.prefix);
    const deps = { store, log: pino({ level: "silent" }), retentionDays: 30 };
    // Nothing is 30 days old yet.
    expect(await pruneRollouts(deps)).toBe(0);
    // 31 days on, the finished rollout goes; the running one stays, however old.
    expect(await pruneRollouts(deps, Date.now() + 31 * DAY_MS)).toBe(1);
    expect(await keysOfFinished()).toEqual([]);
    expect((await h.api("GET", `/v1/rollouts/${finished.body.id}`)).status).toBe(404);
    expect((await h.api("GET", `/v1/rollouts/${running.body.id}`)).status).toBe(200);
    const list = await h.api("GET", "/v1/rollouts");
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([running.body.id]);
    expect(await pruneRollouts({ ...deps, retentionDays: 0 }, Date.now() + 400 * DAY_MS)).toBe(0);
  });
});
