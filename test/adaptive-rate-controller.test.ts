// The adaptive rate's arithmetic (adapt-gateway-rate.lua) against a real Redis, with the clock given
// to the script: cut once per round from the rate in use, additive growth, floor and ceiling, the
// latency signal, and the limits BullMQ and the batch limiter read from it.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rateStateKey } from "../src/queue/gateway-limiter.js";
import { targetQueueName } from "../src/queue/queue-names.js";
import { defineScript, luaSource } from "../src/store/redis-script.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix("adaptive-math");
const adapt = defineScript<[string, number, number]>(
  redis,
  "testAdaptGatewayRate",
  luaSource(import.meta.url, "../src/queue/lua/adapt-gateway-rate.lua"),
  2,
);
const take = defineScript<number>(
  redis,
  "testTakeGatewaySlot",
  luaSource(import.meta.url, "../src/queue/lua/take-gateway-slot.lua"),
  3,
);
const queue = new Queue(targetQueueName("math"), { connection: redis, prefix });
const META = queue.keys.meta as string;
const SETTINGS = { ceiling: 200, floor: 5, cut: 0.5, step: 20, latencyFactor: 3, concurrency: 16 };

let state: string;
let n = 0;
beforeEach(() => {
  // A fresh state per test, in the slot of the queue's meta hash as the service keys it.
  state = `${rateStateKey(prefix, "math")}:${n++}`;
});
afterAll(async () => {
  await queue.close();
  await dropPrefix(prefix);
  redis.disconnect();
});

interface Calls {
  ok?: number;
  okMs?: number;
  answered?: number;
  congested?: number;
}

/** One report at `now` (ms); resolves with the allowed rate and whether this report cut it. */
async function report(now: number, calls: Calls = {}, settings = SETTINGS) {
  const ok = calls.ok ?? 0;
  const [rate, , cut] = await adapt(
    state,
    META,
    now,
    settings.ceiling,
    settings.floor,
    settings.cut,
    settings.step,
    settings.latencyFactor,
    ok,
    calls.okMs ?? ok * 10,
    calls.answered ?? ok,
    calls.congested ?? 0,
    settings.concurrency,
    1,
  );
  return { rate: Number(rate), cut: cut === 1 };
}

const T = 1_700_000_000_000;

describe("adaptive rate arithmetic", () => {
  it("starts at the ceiling and writes BullMQ's queue limit and concurrency from it", async () => {
    expect(await report(T)).toEqual({ rate: 200, cut: false });
    // What BullMQ itself reads: ~10 windows a second, the configured concurrency at the ceiling.
    expect(await queue.getGlobalRateLimit()).toEqual({ max: 20, duration: 100 });
    expect(await queue.getGlobalConcurrency()).toBe(16);
    await report(T + 10, { congested: 1 });
    expect(await queue.getGlobalRateLimit()).toEqual({ max: 10, duration: 100 });
    expect(await queue.getGlobalConcurrency()).toBe(8);
  });

  it("cuts at most once per round, however many 429s arrive", async () => {
    await report(T);
    expect(await report(T + 100, { congested: 5 })).toEqual({ rate: 100, cut: true });
    expect(await report(T + 400, { congested: 9 })).toEqual({ rate: 100, cut: false });
    expect(await report(T + 1099, { congested: 1 })).toEqual({ rate: 100, cut: false });
    expect(await report(T + 1100, { congested: 1 })).toEqual({ rate: 50, cut: true });
  });

  it("cuts from the rate the manager took when it is below the allowed one, at most to cut² × rate", async () => {
    await report(T);
    // 40 calls a second answered, reported every 250 ms: the manager took 40/s of the 200 allowed.
    for (let t = 250; t <= 1250; t += 250) await report(T + t, { ok: 10 });
    expect((await report(T + 1300, { congested: 1 })).rate).toBe(50); // 200 × 0.5 × 0.5: no deeper
    for (let t = 2300; t <= 3300; t += 250) await report(T + t, { ok: 10 });
    const cut = await report(T + 3400, { congested: 1 });
    expect(cut.cut).toBe(true);
    expect(cut.rate).toBeCloseTo(20, 0); // from the 40/s taken, not from the 80 allowed
  });

  it("grows back by `step` per second of successful calls, up to the ceiling", async () => {
    await report(T);
    await report(T + 10, { congested: 1 });
    let t = T + 10;
    let rate = 100;
    for (let i = 0; i < 4; i++) {
      t += 250;
      rate = (await report(t, { ok: 5 })).rate;
    }
    expect(rate).toBeCloseTo(120, 6); // 1 s of success at 20/s per second
    // A silence is not success: after 10 s idle, one report grows it by at most half a second's step.
    expect((await report(t + 10_000, { ok: 1 })).rate).toBeCloseTo(130, 6);
    // Failures that are not congestion (4xx) neither cut nor grow.
    expect((await report(t + 10_250, { answered: 3 })).rate).toBeCloseTo(130, 6);
    for (let i = 0; i < 40; i++) rate = (await report(t + 10_500 + i * 250, { ok: 5 })).rate;
    expect(rate).toBe(200);
  });

  it("never goes below the floor", async () => {
    await report(T);
    let rate = 200;
    for (let i = 1; i <= 10; i++) rate = (await report(T + i * 1000, { congested: 1 })).rate;
    expect(rate).toBe(5);
    expect(await queue.getGlobalRateLimit()).toEqual({ max: 1, duration: 200 });
    expect(await queue.getGlobalConcurrency()).toBe(1);
  });

  it("cuts on a latency rise above latencyFactor × the baseline, not on a small one", async () => {
    let t = T;
    /** The clock a quarter second on (or `ms`). */
    const tick = (ms = 250) => {
      t += ms;
      return t;
    };
    for (let i = 0; i < 20; i++) await report(tick(), { ok: 10, okMs: 10 * 10 }); // 10 ms
    // 45 ms: over three times the baseline, but under 50 ms above it: noise at this scale, no cut.
    expect((await report(tick(), { ok: 10, okMs: 10 * 45 })).cut).toBe(false);
    await report(tick(), { ok: 10, okMs: 10 * 10 });
    // 400 ms: a rise; cut once within the round.
    expect((await report(tick(), { ok: 10, okMs: 10 * 400 })).cut).toBe(true);
    expect((await report(tick(), { ok: 10, okMs: 10 * 400 })).cut).toBe(false);
    // Off when the factor is 0.
    const off = { ...SETTINGS, latencyFactor: 0 };
    expect((await report(tick(2000), { ok: 10, okMs: 10 * 900 }, off)).cut).toBe(false);
  });

  it("lets the batch limiter space calls at the allowed rate and scale its concurrency", async () => {
    await report(T);
    await report(T + 10, { congested: 1 }); // 100/s, concurrency 8 of 16
    await report(T + 1010, { congested: 1 }); // 50/s, concurrency 4
    const next = `${state}:next`;
    const leases = `${state}:leases`;
    const slot = (now: number, lease: string, adaptive: 0 | 1) =>
      take(leases, next, state, now, lease, 60_000, 16, 1000 / 200, adaptive);
    expect(await slot(T, "a", 1)).toBe(0);
    expect(await slot(T + 5, "b", 1)).toBeGreaterThan(0); // the next start is 20 ms on, not 5
    expect(await slot(T + 20, "b", 1)).toBe(0);
    expect(await slot(T + 40, "c", 1)).toBe(0);
    expect(await slot(T + 60, "d", 1)).toBe(0);
    expect(await slot(T + 80, "e", 1)).toBe(2); // 4 in flight: the scaled limit
    // A fixed gateway ignores the state: its configured 16 in flight and 5 ms spacing.
    expect(await slot(T + 100, "e", 0)).toBe(0);
    expect(await slot(T + 105, "f", 0)).toBe(0);
  });
});
