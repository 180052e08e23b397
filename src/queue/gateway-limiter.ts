import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { GatewayConfig } from "../gateway/types.js";
import type { RedisClient } from "../store/redis-client.js";
import { defineScript, luaSource, type RedisScript } from "../store/redis-script.js";
import { gatewayKeyPrefix } from "./queue-names.js";

/** The Redis key of a gateway's adaptive rate state (adapt-gateway-rate.lua). */
export const rateStateKey = (prefix: string, gateway: string) => `${gatewayKeyPrefix(prefix, gateway)}:rate`;

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
  /** This process's waiters, one behind the other. */
  private line: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly redis: RedisClient,
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
    this.leases = `${gatewayKeyPrefix(prefix, gateway.name)}:leases`;
    this.next = `${gatewayKeyPrefix(prefix, gateway.name)}:next`;
    this.rate = rateStateKey(prefix, gateway.name);
  }

  /** Runs `call` in a slot of the gateway, waiting for one first. */
  async run<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const lease = randomUUID();
    signal.throwIfAborted();
    try {
      // While others of this process wait, join their line rather than asking Redis ahead of them.
      if (this.waiting > 0 || (await this.takeSlot(lease)) > 0) await this.inLine(lease, signal);
    } catch (error) {
      // Aborted: a slot its turn may have taken goes back (a lease would lapse anyway).
      await this.release(lease);
      throw error;
    }
    try {
      return await call();
    } finally {
      await this.release(lease);
    }
  }

  private async release(lease: string): Promise<void> {
    if (this.gateway.concurrency !== undefined) await this.redis.zrem(this.leases, lease).catch(() => {});
  }

  /**
   * Waits for a slot behind this process's other waiters: only the head of the line asks Redis
   * again (once its wait is over), instead of every waiter at every slot. A waiter whose signal
   * aborts leaves at once, and takes no slot when its turn comes.
   */
  private async inLine(lease: string, signal: AbortSignal): Promise<void> {
    this.waiting++;
    const turn = this.line.then(async () => {
      for (;;) {
        signal.throwIfAborted();
        const wait = await this.takeSlot(lease);
        if (wait === 0) return;
        await sleep(wait, undefined, { signal });
      }
    });
    this.line = turn.catch(() => {});
    let leave = () => {};
    const left = new Promise<never>((_, reject) => {
      leave = () => reject(signal.reason);
      signal.addEventListener("abort", leave, { once: true });
    });
    try {
      await Promise.race([turn, left]);
    } finally {
      this.waiting--;
      signal.removeEventListener("abort", leave);
    }
  }

  /** 0 when this lease got a slot, else the ms to wait before asking again. */
  private takeSlot(lease: string): Promise<number> {
    return this.take(
      this.leases,
      this.next,
      this.rate,
      Date.now(),
      lease,
      this.gateway.timeoutMs * 4 + 5000,
      this.gateway.concurrency ?? 0,
      1000 / this.gateway.rateLimitPerSecond,
      this.gateway.adaptive ? 1 : 0,
    );
  }

  /** No call to this gateway starts, from any process, for `ms` (a 429's Retry-After). */
  async pause(ms: number): Promise<void> {
    await this.hold(this.next, Date.now() + ms, ms + 60_000);
  }
}
