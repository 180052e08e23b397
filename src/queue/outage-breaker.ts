import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import type { RolloutEngine } from "../engine/engine.js";
import { GATEWAY_DOWN_PAUSE } from "../engine/lifecycle.js";
import type { ApinizerClient } from "../gateway/client.js";
import type { GatewayConfig } from "../gateway/types.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Dispatcher } from "./dispatcher.js";
import type { StatusCache } from "./status-cache.js";

export interface BreakerDeps {
  store: RolloutStore;
  engine: RolloutEngine;
  dispatcher: Dispatcher;
  statuses: StatusCache;
  clients: ReadonlyMap<string, ApinizerClient>;
  gateways: ReadonlyMap<string, GatewayConfig>;
  log: Logger;
}

/** This process's view of one gateway. */
interface Health {
  failures: number;
  failingSince?: number;
  /** Aborted while the gateway is taken to be down: calls in flight stop, no new one starts. */
  down: AbortController;
  probe?: NodeJS.Timeout;
}

/** An HTTP attempt that says the manager is down (5xx, timeout, no connection); any other answer says it is up. */
const isDown = (code: string) => (/^\d+$/.test(code) ? Number(code) >= 500 : code !== "aborted");

/**
 * The outage breaker. Every HTTP attempt to a gateway is observed (no Redis on this path). When
 * the gateway's calls keep failing — `outageFailures` attempts in a row, or failures for longer
 * than `outageWindowSeconds` without an answer in between — the calls of this process are
 * aborted and the rollouts running on that gateway are paused ("gateway unavailable", once: a
 * pause only moves a running rollout) with their queued jobs taken back, instead of every target
 * burning its retries against a manager that is down. The process then probes the manager; with
 * `autoResume`, a successful probe resumes what the outage paused (again once, whichever process
 * gets there first). No state is shared beyond the rollouts themselves, so a killed process
 * leaves nothing behind that could block the next outage's pause.
 */
export class OutageBreaker {
  readonly #deps: BreakerDeps;
  readonly #health = new Map<string, Health>();

  constructor(deps: BreakerDeps) {
    this.#deps = deps;
  }

  /** Aborted while the gateway is down; handed to every call to it. */
  signal(gateway: string): AbortSignal {
    return this.#of(gateway).down.signal;
  }

  observe(gateway: string, code: string, durationSeconds: number): void {
    const health = this.#of(gateway);
    const now = Date.now();
    if (health.down.signal.aborted) {
      // Any call answered (planning's, a probe's) says the manager is back.
      if (!isDown(code)) void this.#recovered(gateway, health).catch((err) => this.#fail(err, gateway));
      return;
    }
    if (!isDown(code)) {
      // Only an answer to a call sent after the failures began says the manager is back.
      if (health.failingSince === undefined || now - durationSeconds * 1000 >= health.failingSince) {
        health.failures = 0;
        health.failingSince = undefined;
      }
      return;
    }
    health.failures++;
    health.failingSince ??= now;
    const config = this.#deps.gateways.get(gateway);
    if (config === undefined) return;
    if (health.failures >= config.outageFailures || now - health.failingSince >= config.outageWindowMs) {
      void this.#trip(gateway, health).catch((err) =>
        this.#deps.log.error({ err, gateway }, "outage breaker failed"),
      );
    }
  }

  /** Stops the probes (process shutdown). */
  close(): void {
    for (const health of this.#health.values()) clearInterval(health.probe);
  }

  #of(gateway: string): Health {
    let health = this.#health.get(gateway);
    if (health === undefined) {
      const down = new AbortController();
      // Every call in flight to the gateway listens on it: as many as the worker's concurrency.
      setMaxListeners(0, down.signal);
      health = { failures: 0, down };
      this.#health.set(gateway, health);
    }
    return health;
  }

  async #trip(gateway: string, health: Health): Promise<void> {
    const deps = this.#deps;
    const reason = `${GATEWAY_DOWN_PAUSE}: ${health.failures} calls in a row failed; paused instead of retrying`;
    health.down.abort(new Error(reason));
    health.probe = setInterval(() => void this.#probe(gateway), PROBE_EVERY_MS);
    health.probe.unref();
    deps.log.warn({ gateway, failures: health.failures }, "gateway unavailable: pausing its rollouts");
    for (const id of await this.#rollouts(gateway, "running")) {
      const paused = await deps.engine.control(id, "pause", "system", reason);
      if (!paused.ok) continue;
      deps.statuses.set(id, "paused");
      await deps.dispatcher.recall(id);
    }
  }

  /**
   * A cheap authenticated call, one attempt (the next probe is its retry): its answer is observed
   * like any other (`#recovered`).
   */
  async #probe(gateway: string): Promise<void> {
    await this.#deps.clients
      .get(gateway)
      ?.checkToken({ signal: AbortSignal.timeout(PROBE_EVERY_MS), maxAttempts: 1 })
      .catch(() => {});
  }

  #fail(err: unknown, gateway: string): void {
    this.#deps.log.error({ err, gateway }, "outage breaker failed");
  }

  async #recovered(gateway: string, health: Health): Promise<void> {
    const deps = this.#deps;
    if (this.#health.get(gateway) !== health) return;
    clearInterval(health.probe);
    this.#health.delete(gateway);
    deps.log.info({ gateway }, "gateway answers again");
    if (deps.gateways.get(gateway)?.autoResume !== true) return;
    for (const id of await this.#rollouts(gateway, "paused", GATEWAY_DOWN_PAUSE)) {
      const resumed = await deps.engine.control(id, "resume", "system", "");
      if (!resumed.ok) continue;
      deps.statuses.set(id, "running");
      await deps.dispatcher.offer(id);
    }
  }

  /** The active rollouts on a gateway in `status` (paused ones: only those paused for `reason`). */
  async #rollouts(gateway: string, status: string, reason?: string): Promise<string[]> {
    const ids = await this.#deps.store.activeIds();
    const stored = await this.#deps.store.getMany(ids);
    return ids.filter((_, i) => {
      const fields = stored[i]?.fields;
      if (fields === undefined) return false;
      const state = parseRolloutFields(fields);
      return (
        state.spec.gateway === gateway &&
        state.status === status &&
        (reason === undefined || (state.pausedReason ?? "").startsWith(reason))
      );
    });
  }
}

const PROBE_EVERY_MS = 2_000;
