// The adaptive request rate per gateway (AIMD), as one process takes part in it: it tallies what its
// calls to each manager answered and reports the tally to Redis, where adapt-gateway-rate.lua keeps
// the rate every process follows (BullMQ's queue limiter in per-proxy mode, the gateway limiter in
// batch mode). A process reports every REPORT_EVERY_MS while it calls, at once on a congestion
// answer, and not at all while idle.

import type { Logger } from "pino";
import type { GatewayConfig } from "../gateway/types.js";
import type { RedisClient } from "../store/redis-client.js";
import { defineScript, luaSource, type RedisScript } from "../store/redis-script.js";
import { rateStateKey } from "./gateway-limiter.js";
import type { Queues } from "./queues.js";

const REPORT_EVERY_MS = 250;
/** A round lasts at least this long: a congestion answer within it changes nothing. */
const ROUND_MS = 1000;
/** Answers that say the manager is overloaded (a timeout is the extreme of a latency rise). */
const CONGESTION = new Set(["429", "503", "timeout"]);

interface Tally {
  ok: number;
  okMs: number;
  answered: number;
  congested: number;
}

const emptyTally = (): Tally => ({ ok: 0, okMs: 0, answered: 0, congested: 0 });

/** One adaptive gateway, from this process: its tally since the last report and the rate last seen. */
class GatewayRate {
  private tally = emptyTally();
  private lastCut = 0;
  private reporting: Promise<void> | undefined;
  private again = false;
  /** The allowed rate as of this process's last report. */
  rate: number;

  constructor(
    private readonly adapt: RedisScript<[string, number, number]>,
    private readonly gateway: GatewayConfig,
    private readonly keys: [state: string, meta: string],
    private readonly log: Logger,
  ) {
    this.rate = gateway.rateLimitPerSecond;
  }

  observe(code: string, durationMs: number): void {
    const tally = this.tally;
    if (code.startsWith("2")) {
      tally.ok++;
      tally.okMs += durationMs;
      tally.answered++;
    } else if (CONGESTION.has(code)) {
      tally.congested++;
      // Within the round of the last cut it waits for the next regular report.
      if (Date.now() - this.lastCut >= ROUND_MS) void this.report();
    } else if (code !== "network" && code !== "aborted") {
      tally.answered++;
    }
  }

  get pending(): boolean {
    return this.tally.answered + this.tally.congested > 0;
  }

  /** Sends the tally (one at a time: a report asked for meanwhile follows the one in flight). */
  report(): Promise<void> {
    if (this.reporting) {
      this.again = true;
      return this.reporting;
    }
    this.reporting = this.send().finally(() => {
      this.reporting = undefined;
      if (this.again) {
        this.again = false;
        void this.report();
      }
    });
    return this.reporting;
  }

  /** Sends the tally now; `strict`: a failure rejects instead of keeping the tally for later. */
  async send(strict = false): Promise<void> {
    const tally = this.tally;
    this.tally = emptyTally();
    const { gateway } = this;
    const adaptive = gateway.adaptive;
    if (adaptive === undefined) return;
    const perProxy = (gateway.targetsPerJob ?? 1) === 1;
    try {
      const [rate, cutAt, cutNow] = await this.adapt(
        ...this.keys,
        Date.now(),
        gateway.rateLimitPerSecond,
        adaptive.floor,
        adaptive.cut,
        adaptive.step,
        adaptive.latencyFactor,
        tally.ok,
        Math.round(tally.okMs),
        tally.answered,
        tally.congested,
        perProxy ? (gateway.concurrency ?? 0) : 0,
        perProxy ? 1 : 0,
      );
      this.rate = Number(rate);
      this.lastCut = Number(cutAt);
      if (cutNow === 1) {
        const reason = tally.congested > 0 ? `${tally.congested} 429/503/timeout answers` : "latency rise";
        this.log.info({ gateway: gateway.name, allowedRate: this.rate, reason }, "gateway rate cut");
      }
    } catch (error) {
      if (strict) throw error;
      // Redis did not answer: the tally goes with the next report.
      for (const key of Object.keys(tally) as Array<keyof Tally>) this.tally[key] += tally[key];
    }
  }
}

/** Every adaptive gateway's rate, for this process. */
export class GatewayRates {
  private readonly rates = new Map<string, GatewayRate>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly gateways: ReadonlyMap<string, GatewayConfig>,
    queues: Queues,
    log: Logger,
  ) {
    const adapt = defineScript<[string, number, number]>(
      redis,
      "enforcerAdaptGatewayRate",
      luaSource(import.meta.url, "./lua/adapt-gateway-rate.lua"),
      2,
    );
    for (const gateway of gateways.values()) {
      if (gateway.adaptive === undefined) continue;
      // BullMQ's own meta hash of the queue: its global rate limit and concurrency live there.
      const meta = queues.targets(gateway.name).keys.meta;
      if (meta === undefined) throw new Error(`BullMQ queue of gateway ${gateway.name} has no meta key`);
      this.rates.set(
        gateway.name,
        new GatewayRate(adapt, gateway, [rateStateKey(prefix, gateway.name), meta], log),
      );
    }
    this.timer = setInterval(() => {
      for (const rate of this.rates.values()) if (rate.pending) void rate.report();
    }, REPORT_EVERY_MS);
    this.timer.unref();
  }

  /** One answer of a gateway call: its HTTP status (or `network`, `timeout`, `aborted`) and duration. */
  observe(gateway: string, code: string, durationSeconds: number): void {
    this.rates.get(gateway)?.observe(code, durationSeconds * 1000);
  }

  /**
   * Brings the shared state up (at the ceiling when new) and, in per-proxy mode, BullMQ's limiter.
   * Rejects when Redis does not answer: a queue must not start without its limit.
   */
  async start(gateway: string): Promise<void> {
    await this.rates.get(gateway)?.send(true);
  }

  /** The allowed rate of every gateway, from Redis (a fixed gateway's is its configured rate). */
  async allowed(): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const gateway of this.gateways.values()) {
      const stored = this.rates.has(gateway.name)
        ? await this.redis.hget(rateStateKey(this.prefix, gateway.name), "rate")
        : null;
      result.set(gateway.name, stored === null ? gateway.rateLimitPerSecond : Number(stored));
    }
    return result;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
