// The batch-mode gateway limiter against a real Redis: calls spaced to the rate across waiters, only
// the head of a process's line asking Redis again, an aborted waiter leaving at once without a slot.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { GatewayLimiter } from "../src/queue/gateway-limiter.js";
import { offlineGateway } from "./helpers/gateway-config.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix("gateway-limiter");
afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

/** The connection, with every call of the slot script counted. */
function counting(): { connection: Redis; calls: () => number } {
  let calls = 0;
  const connection = new Proxy(redis, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "enforcerTakeGatewaySlot" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { connection, calls: () => calls };
}

const gateway = (name: string, rate: number) => offlineGateway(name, { rateLimitPerSecond: rate });

describe("gateway limiter", () => {
  it("spaces calls to the rate and asks Redis about twice per call, not once per waiter per slot", async () => {
    const { connection, calls } = counting();
    const limiter = new GatewayLimiter(connection, prefix, gateway("spaced", 20));
    const started: number[] = [];
    const signal = new AbortController().signal;
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        limiter.run(async () => {
          started.push(performance.now() - begin);
        }, signal),
      ),
    );
    started.sort((a, b) => a - b);
    // 20/s: one start every 50 ms (timers may fire a little early or late).
    expect((started[9] ?? 0) - (started[0] ?? 0)).toBeGreaterThanOrEqual(9 * 50 * 0.9);
    // Ten first attempts, then about two per waiter (its turn, then once its wait is over).
    expect(calls()).toBeLessThanOrEqual(10 + 9 * 3);
  });

  it("lets an aborted waiter leave at once, taking no slot", async () => {
    const limiter = new GatewayLimiter(redis, prefix, gateway("aborted", 2));
    const calls: string[] = [];
    const keep = new AbortController();
    const quit = new AbortController();
    const first = limiter.run(async () => calls.push("first"), keep.signal);
    const second = limiter.run(async () => calls.push("second"), quit.signal);
    const third = limiter.run(async () => calls.push("third"), keep.signal);
    await first;
    quit.abort(new Error("job stopped"));
    await expect(second).rejects.toThrow("job stopped");
    await third; // 500 ms after the first: the aborted waiter's slot was not taken
    expect(calls).toEqual(["first", "third"]);
  });
});
