// Control actions on a 100k-target rollout must not hold Redis: every call stays short, so lock
// renewals and every other client keep going. Measured with Redis' own SLOWLOG.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RolloutEngine } from "../src/engine/engine.js";
import { Keys } from "../src/store/keys.js";
import { type Harness, startHarness } from "./helpers/service.js";

const TARGETS = 100_000;
const LIMIT_US = 50_000;

describe("bounded Redis work on a 100k-target rollout", () => {
  let h: Harness;
  let redis: Redis;
  let previousThreshold = "10000";
  beforeAll(async () => {
    // API only: nothing processes the targets, so they stay pending for the control actions.
    h = await startHarness("bounded", { projects: 1, proxiesPerProject: 1 }, {}, { mode: "api" });
    redis = new Redis(h.env.REDIS_URL ?? "");
    previousThreshold = ((await redis.config("GET", "slowlog-log-slower-than")) as string[])[1] ?? "10000";
    await redis.config("SET", "slowlog-log-slower-than", "5000");
  });
  afterAll(async () => {
    await redis?.config("SET", "slowlog-log-slower-than", previousThreshold);
    redis?.disconnect();
    await h?.stop();
  });

  /** Slow-log entries since `since` (seconds) whose command touched this test's keys, in µs. */
  const slowCalls = async (since: number) => {
    const entries = (await redis.call("SLOWLOG", "GET", "1000")) as Array<[number, number, number, string[]]>;
    return entries
      .filter(([, at, , args]) => at >= since && args.some((a) => String(a).includes(h.prefix)))
      .map(([, , micros, args]) => ({ micros, command: `${args[0]} ${String(args[1]).slice(0, 40)}` }));
  };

  async function bigRollout(id: string, set: "pending" | "failed") {
    const engine = new RolloutEngine(redis, new Keys(h.prefix), { eventsMaxLen: 10_000, window: 500 });
    await engine.create(
      id,
      {
        status: "planning",
        spec: JSON.stringify({ gateway: "default", dryRun: false, policy: {}, targets: {} }),
        createdBy: "t",
        createdAt: new Date().toISOString(),
        updatedAt: String(Date.now()),
      },
      { actor: "t", action: "create" },
    );
    await engine.writeTargets(
      id,
      Array.from({ length: TARGETS }, (_, i) => ({
        identity: { p: "P", n: `proxy-${i}`, w: 1 },
        status: set,
      })),
    );
    await engine.start(id, [TARGETS], TARGETS);
  }

  it("cancel and retry move 100,000 targets with no Redis call over 50 ms", async () => {
    const since = Math.floor(Date.now() / 1000);
    const cancelId = `r${Date.now().toString(36).padStart(9, "0")}cancel00`;
    await bigRollout(cancelId, "pending");
    const cancelled = await h.api("POST", `/v1/rollouts/${cancelId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.counts).toMatchObject({ cancelled: TARGETS, pending: 0, total: TARGETS });

    const retryId = `r${Date.now().toString(36).padStart(9, "0")}retry000`;
    await bigRollout(retryId, "failed");
    // Every target failed at planning, within a budget of the whole rollout: it runs, is paused, retried.
    await h.api("POST", `/v1/rollouts/${retryId}/pause`);
    const retried = await h.api("POST", `/v1/rollouts/${retryId}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.counts).toMatchObject({ failed: 0, pending: TARGETS });
    expect(retried.body.status).toBe("paused");

    const slow = await slowCalls(since);
    const longest = Math.max(0, ...slow.map((s) => s.micros));
    console.info(
      `bounded: longest Redis call on this test's keys ${(longest / 1000).toFixed(1)} ms`,
      slow.slice(0, 5),
    );
    expect(longest).toBeLessThan(LIMIT_US);
  }, 120_000);
});
