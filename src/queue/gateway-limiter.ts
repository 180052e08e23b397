import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { GatewayConfig } from "../gateway/types.js";
import { defineScript, luaSource, type RedisScript } from "../store/redis-script.js";

/** The Redis key of a gateway's adaptive rate state (adapt-gateway-rate.lua). */
export const rateStateKey = (prefix: string, gateway: string) => `${prefix}:gateway:${gateway}:rate`;

/**
 * A gateway's rate and concurrency, held per proxy call across every worker process (batch
 * mode). A slot a killed process held lapses after the gateway timeout plus a margin. An adaptive
 * gateway's slots follow its allowed rate, read from Redis by the same script.
 */
export class GatewayLimiter {
  private readonly take: RedisScript<number>;
  private readonly hold: RedisScript<number>;
  private readonly leases: string;
  private readonly next: string;
  private readonly rate: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly gateway: GatewayConfig,
  ) {
    this.take = defineScript(
      redis,
      "enforcerTakeGatewaySlot",
      luaSource(import.meta.url, "./lua/take-gateway-slot.lua"),
      3,
    );
    this.hold = defineScript(
      redis,
      "enforcerHoldGateway",
      luaSource(import.meta.url, "./lua/hold-gateway.lua"),
      1,
    );
    this.leases = `${prefix}:gateway:${gateway.name}:leases`;
    this.next = `${prefix}:gateway:${gateway.name}:next`;
    this.rate = rateStateKey(prefix, gateway.name);
  }

  /** Runs `call` in a slot of the gateway, waiting for one first. */
  async run<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const lease = randomUUID();
    const interval = 1000 / this.gateway.rateLimitPerSecond;
    const ttl = this.gateway.timeoutMs * 4 + 5000;
    for (;;) {
      signal.throwIfAborted();
      const wait = await this.take(
        this.leases,
        this.next,
        this.rate,
        Date.now(),
        lease,
        ttl,
        this.gateway.concurrency ?? 0,
        interval,
        this.gateway.adaptive ? 1 : 0,
      );
      if (wait === 0) break;
      await sleep(wait, undefined, { signal });
    }
    try {
      return await call();
    } finally {
      if (this.gateway.concurrency !== undefined) await this.redis.zrem(this.leases, lease).catch(() => {});
    }
  }

  /** No call to this gateway starts, from any process, for `ms` (a 429's Retry-After). */
  async pause(ms: number): Promise<void> {
    await this.hold(this.next, Date.now() + ms, ms + 60_000);
  }
}
