// Each engine script against a real Redis: its typed answer, the sets it moves targets between,
// and the event it writes to the outbox in the same step.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FinishItem, type Offered, RolloutEngine } from "../src/engine/engine.js";
import { parseEvent, type RolloutEvent } from "../src/engine/events.js";
import { TARGET_STATUSES, type TargetStatus } from "../src/engine/lifecycle.js";
import { prelude } from "../src/engine/scripts.js";
import { Keys, newRolloutId, partitionOf } from "../src/store/keys.js";
import { RolloutStore } from "../src/store/rollout-store.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";

const prefix = uniquePrefix("engine");
const redis = new Redis(REDIS_URL);
const keys = new Keys(prefix);
const engine = new RolloutEngine(redis, keys, { eventsMaxLen: 10_000, window: 4 });
const store = new RolloutStore(redis, prefix);
let n = 0;
let id = "";

const sizes = async (): Promise<Record<TargetStatus, number>> => {
  const counts = await Promise.all(TARGET_STATUSES.map((s) => redis.zcard(keys.status(id, s))));
  return Object.fromEntries(TARGET_STATUSES.map((s, i) => [s, counts[i]])) as Record<TargetStatus, number>;
};
const events = async (): Promise<RolloutEvent[]> =>
  (await redis.xrange(keys.events(partitionOf(id)), "-", "+"))
    .flatMap(([eid, flat]) => parseEvent(eid, flat) ?? [])
    .filter((e) => e.rolloutId === id);

/** The i-th offered job, as a finish item. */
function ended(
  offered: Offered[],
  i: number,
  to: FinishItem["to"],
  outcome?: FinishItem["outcome"],
): FinishItem {
  const o = offered[i];
  if (o === undefined) throw new Error(`no offered job ${i}`);
  return { index: o.index, jobId: o.jobId, to, ...(outcome ? { outcome } : {}) };
}

/** A running rollout of `count` pending targets in waves cut at `bounds`. */
async function running(count: number, bounds = [count], maxErrors = 0) {
  await engine.create(
    id,
    { status: "planning", spec: "{}", updatedAt: "0" },
    { actor: "alice", action: "create" },
  );
  await engine.writeTargets(
    id,
    Array.from({ length: count }, (_, i) => ({
      identity: { p: "P", n: `proxy-${i}`, w: bounds.findIndex((b) => i < b) + 1 },
      status: "pending" as const,
    })),
  );
  return engine.start(id, bounds, maxErrors);
}

beforeEach(() => {
  id = `r${String(++n).padStart(9, "0")}testtest`;
});
beforeAll(async () => {
  await redis.ping();
});
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

describe("key bindings", () => {
  it("are generated from TARGET_STATUSES, after the fixed keys, in Keys.rolloutKeys order", () => {
    const lua = prelude(100);
    const order = keys.rolloutKeys("x");
    TARGET_STATUSES.forEach((set) => {
      const at = order.indexOf(keys.status("x", set)) + 1;
      expect(lua).toContain(`${set} = KEYS[${at}]`);
    });
    expect(lua).toContain(`local KEY_COUNT = ${order.length}`);
  });
});

describe("create and start", () => {
  it("create writes the planning event with who asked; the same idempotency key answers the first value", async () => {
    // The key's partition is the rollouts' (the service draws their ids in it).
    const { key, partition } = keys.idempotency("alice", `k-${id}`);
    id = newRolloutId(Date.now(), partition);
    const idem = { key, value: `hash ${id}`, ttlSeconds: 60 };
    expect(
      await engine.create(id, { status: "planning" }, { actor: "alice", action: "create" }, idem),
    ).toEqual({
      kind: "created",
    });
    expect(
      await engine.create(
        newRolloutId(Date.now(), partition),
        { status: "planning" },
        { actor: "alice", action: "create" },
        idem,
      ),
    ).toEqual({
      kind: "exists",
      existing: `hash ${id}`,
    });
    expect(await events()).toMatchObject([
      { kind: "status", status: "planning", actor: "alice", action: "create" },
    ]);
  });

  it("start counts planning outcomes in one event and pauses at once past the error budget", async () => {
    await engine.create(id, { status: "planning" }, { actor: "alice", action: "create" });
    await engine.writeTargets(id, [
      { identity: { p: "P", n: "a", w: 1 }, status: "pending" },
      { identity: { p: "P", n: "b", w: 1 }, status: "skipped", outcome: { r: "proxy type AI" } },
      { identity: { p: "P", n: "c", w: 1 }, status: "failed", outcome: { m: "not found" } },
    ]);
    const started = await engine.start(id, [3], 0);
    expect(started.kind).toBe("paused");
    const [, outcomes, paused] = await events();
    expect(outcomes).toMatchObject({ kind: "outcomes", counts: { skipped: 1, failed: 1 } });
    expect(paused).toMatchObject({ kind: "status", status: "paused", previous: "planning" });
  });

  it("a rollout cancelled while planning is swept to cancelled when planning ends", async () => {
    await engine.create(id, { status: "planning" }, { actor: "alice", action: "create" });
    expect(await engine.control(id, "cancel", "alice", "cancelled by alice")).toEqual({
      ok: true,
      previous: "planning",
      replan: false,
    });
    await engine.writeTargets(id, [{ identity: { p: "P", n: "a", w: 1 }, status: "pending" }]);
    expect(await engine.start(id, [1], 0)).toEqual({ kind: "cancelled" });
    expect(await engine.sweep(id)).toBe(1);
    expect((await sizes()).cancelled).toBe(1);
  });

  it("fail-planning ends a planning rollout once, with the reason", async () => {
    await engine.create(id, { status: "planning" }, { actor: "alice", action: "create" });
    expect(await engine.failPlanning(id, "planning failed: boom")).toBe(true);
    expect(await engine.failPlanning(id, "again")).toBe(false);
    expect((await events()).at(-1)).toMatchObject({ status: "failed", detail: "planning failed: boom" });
  });
});

describe("offer and finish", () => {
  it("offers at most the window, only from the released wave, each target held by a new job", async () => {
    expect(await running(10, [6, 10])).toEqual({ kind: "started", waveDone: false });
    const first = await engine.offer(id);
    expect(first.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    expect(first[0]).toMatchObject({ identity: { p: "P", n: "proxy-0", w: 1 }, attempts: 0 });
    expect(await engine.offer(id)).toEqual([]); // window full
    expect(await sizes()).toMatchObject({ pending: 6, running: 4 });
    const after = await engine.finish(id, [
      ended(first, 0, "succeeded", { a: 1, h: 200, u: 1 }),
      ended(first, 1, "running"),
      // A job that does not hold its target (an older offer) records nothing.
      { index: 2, jobId: "someone-else", to: "failed", outcome: { m: "stale" } },
    ]);
    expect(after).toMatchObject({ next: "open", recorded: 1, room: 1 });
    expect(await sizes()).toMatchObject({ pending: 6, running: 3, succeeded: 1, failed: 0 });
    expect((await store.targetsAt(id, [0]))[0]?.[1]).toMatchObject({
      p: "P",
      n: "proxy-0",
      s: "succeeded",
      a: 1,
      h: 200,
    });
    expect((await store.targetsAt(id, [1]))[0]?.[1]).toMatchObject({ s: "running" });
    // The second offer reaches only up to the wave's bound (6).
    expect((await engine.offer(id)).map((o) => o.index)).toEqual([4]);
    expect((await events()).at(-1)).toMatchObject({ kind: "outcomes", counts: { succeeded: 1 } });
  });

  it("batch mode: consecutive targets share a job id, up to perJob of them", async () => {
    await running(10);
    const offered = await engine.offer(id, 3);
    expect(offered.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    const [a, b, c, d] = offered.map((o) => o.jobId);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(d).not.toBe(a);
    expect(await store.heldBy(id, a ?? "", [0, 1, 2, 3])).toEqual(new Set([0, 1, 2]));
  });

  it("a finished wave reports wave_done; advance finishes the rollout or releases the next wave", async () => {
    await running(2, [1, 2]);
    const first = await engine.offer(id);
    const after = await engine.finish(id, [ended(first, 0, "succeeded")]);
    expect(after).toMatchObject({ next: "wave_done", detail: "1" });
    expect(await engine.advance(id, 1, false)).toEqual({ kind: "next", wave: 2 });
    expect(await engine.advance(id, 2, false)).toEqual({ kind: "noop" }); // wave 2 still open
    const second = await engine.offer(id);
    await engine.finish(id, [ended(second, 0, "failed", { m: "locked" })]);
    expect(await redis.hget(keys.rollout(id), "status")).toBe("paused"); // budget 0 exceeded
  });

  it("the error budget pauses on the failure that exceeds it; a 401 hands the target back and pauses", async () => {
    await running(3, [3], 1);
    const jobs = await engine.offer(id);
    expect((await engine.finish(id, [ended(jobs, 0, "failed")])).next).toBe("open");
    expect(await engine.finish(id, [ended(jobs, 1, "failed")])).toMatchObject({
      next: "paused",
      detail: "error budget exceeded: 2 failed targets > maxErrors 1",
    });
    await engine.control(id, "resume", "alice", "");
    const back = await engine.finish(id, [ended(jobs, 2, "pending", { a: 1, h: 401, m: "bad token" })], {
      pauseReason: "gateway authentication failed",
    });
    expect(back.next).toBe("paused");
    expect(await sizes()).toMatchObject({ pending: 1, failed: 2, running: 0 });
    // The target handed back keeps its last error and attempts, and the next offer carries them.
    await engine.control(id, "resume", "alice", "");
    expect((await engine.offer(id))[0]).toMatchObject({ index: 2, attempts: 1 });
  });

  it("a job of a paused rollout hands its target back; one of a cancelled rollout cancels it; recall takes the rest", async () => {
    await running(3);
    const jobs = await engine.offer(id);
    await engine.control(id, "pause", "alice", "paused by alice");
    expect((await engine.finish(id, [ended(jobs, 0, "pending")])).recorded).toBe(1);
    expect(await sizes()).toMatchObject({ pending: 1, running: 2 });
    await engine.control(id, "cancel", "alice", "cancelled by alice");
    await engine.finish(id, [ended(jobs, 1, "pending")]);
    expect(await engine.recall(id, jobs.slice(2))).toBe(1);
    expect(await engine.recall(id, jobs.slice(2))).toBe(0); // no longer held
    await engine.sweep(id);
    expect(await sizes()).toMatchObject({ pending: 0, running: 0, cancelled: 3 });
  });
});

describe("control", () => {
  it("answers typed refusals: missing, not allowed in this status, nothing to retry", async () => {
    expect(await engine.control(id, "pause", "alice", "")).toEqual({ ok: false, refusal: "missing" });
    await running(1);
    expect(await engine.control(id, "resume", "alice", "")).toEqual({
      ok: false,
      refusal: "not_allowed",
      status: "running",
    });
    expect(await engine.control(id, "retry", "alice", "")).toEqual({
      ok: false,
      refusal: "no_failed_targets",
    });
  });

  it("retry on a paused rollout re-queues the failed targets and keeps it paused", async () => {
    await running(2);
    const jobs = await engine.offer(id);
    await engine.finish(id, [ended(jobs, 0, "failed", { a: 1, m: "x" })]);
    expect(await redis.hget(keys.rollout(id), "status")).toBe("paused");
    expect(await engine.control(id, "retry", "alice", "")).toEqual({
      ok: true,
      previous: "paused",
      replan: false,
    });
    expect(await engine.sweep(id)).toBe(1);
    expect(await redis.hget(keys.rollout(id), "status")).toBe("paused");
    // The retried target keeps its last error and attempts until its next result.
    expect((await store.targetsAt(id, [0]))[0]?.[1]).toMatchObject({ s: "pending", a: 1, m: "x" });
    expect((await events()).at(-1)).toMatchObject({ status: "paused", action: "retry", actor: "alice" });
  });

  it("cancel and retry move targets in batches of at most 1,000 per call", async () => {
    await running(2500);
    await engine.control(id, "cancel", "alice", "cancelled by alice");
    const calls: number[] = [];
    for (;;) {
      const reply = (await redis.call(
        "EVALSHA",
        await scriptSha("sweep"),
        keys.rolloutKeys(id).length,
        ...keys.rolloutKeys(id),
        id,
        Date.now(),
        1000,
      )) as number[];
      calls.push(reply[0] as number);
      if (reply[1] === 0) break;
    }
    expect(calls).toEqual([1000, 1000, 500]);
    expect((await sizes()).cancelled).toBe(2500);
  });
});

/** The SHA the engine's sweep script is loaded under (defined on first use). */
async function scriptSha(name: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const { readFileSync } = await import("node:fs");
  const source = readFileSync(new URL(`../src/engine/lua/${name}.lua`, import.meta.url), "utf8");
  const lua = `${prelude(10_000)}\n${source}`;
  await redis.script("LOAD", lua);
  return createHash("sha1").update(lua).digest("hex");
}
