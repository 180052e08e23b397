// Control actions on a 100k-target rollout must not hold Redis: the work is split into calls of at
// most 1,000 targets, so lock renewals and every other client keep going. Measured with
// Redis' own SLOWLOG, logging every call while an action runs. A single call's duration is not
// the measure: on a loaded machine the Redis process itself may be descheduled mid-call. SLOWLOG
// and its settings are server-wide: the test runs on a Redis of its own, which nothing else logs to.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RolloutEngine } from "../src/engine/engine.js";
import { Keys } from "../src/store/keys.js";
import { LocalNode } from "./helpers/redis-topology.js";
import { type Harness, startHarness } from "./helpers/service.js";

const TARGETS = 100_000;
/** The most targets one call may move: a few milliseconds of Redis time. */
const MAX_PER_CALL = 1000;

describe("bounded Redis work on a 100k-target rollout", () => {
  let node: LocalNode;
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    node = await LocalNode.start();
    redis = new Redis(node.url);
    // Every call is logged.
    await redis.config("SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "200000");
    // API only: nothing processes the targets, so they stay pending for the control actions.
    h = await startHarness(
      "bounded",
      { projects: 1, proxiesPerProject: 1 },
      { REDIS_URL: node.url },
      { mode: "api" },
    );
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
    await node?.stop();
  });

  /** Every script call that named rollout `id` while `action` ran, with its duration in µs. */
  async function callsDuring(id: string, action: () => Promise<void>) {
    await redis.slowlog("RESET");
    await action();
    const entries = (await redis.call("SLOWLOG", "GET", "200000")) as Array<
      [number, number, number, string[]]
    >;
    // The engine's scripts: the calls that move targets (reads of the rollout are not counted).
    return entries
      .filter(
        ([, , , args]) => /^evalsha$/i.test(String(args[0])) && args.some((a) => String(a).includes(id)),
      )
      .map(([, , micros, args]) => ({ micros, command: `${args[0]} ${String(args[1]).slice(0, 40)}` }));
  }

  /** The action's work was cut into calls of at most 1,000 targets, each of them short. */
  function expectBounded(action: string, calls: Awaited<ReturnType<typeof callsDuring>>) {
    const micros = calls.map((c) => c.micros).sort((x, y) => x - y);
    const median = micros[Math.floor(micros.length / 2)] ?? 0;
    console.info(
      `bounded ${action}: ${calls.length} Redis calls, median ${(median / 1000).toFixed(2)} ms, longest ${((micros.at(-1) ?? 0) / 1000).toFixed(1)} ms`,
    );
    expect(calls.length).toBeGreaterThanOrEqual(TARGETS / MAX_PER_CALL);
    expect(median).toBeLessThan(10_000);
  }

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

  it("cancel and retry move 100,000 targets in calls of bounded work", async () => {
    const cancelId = `r${Date.now().toString(36).padStart(9, "0")}cancel00`;
    await bigRollout(cancelId, "pending");
    const cancelCalls = await callsDuring(cancelId, async () => {
      const cancelled = await h.api("POST", `/v1/rollouts/${cancelId}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.counts).toMatchObject({ cancelled: TARGETS, pending: 0, total: TARGETS });
    });
    expectBounded("cancel", cancelCalls);

    const retryId = `r${Date.now().toString(36).padStart(9, "0")}retry000`;
    await bigRollout(retryId, "failed");
    // Every target failed at planning, within a budget of the whole rollout: it runs, is paused, retried.
    await h.api("POST", `/v1/rollouts/${retryId}/pause`);
    const retryCalls = await callsDuring(retryId, async () => {
      const retried = await h.api("POST", `/v1/rollouts/${retryId}/retry`);
      expect(retried.status).toBe(200);
      expect(retried.body.counts).toMatchObject({ failed: 0, pending: TARGETS });
      expect(retried.body.status).toBe("paused");
    });
    expectBounded("retry", retryCalls);
  }, 120_000);
});
