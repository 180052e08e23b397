import { type Keys, partitionOf } from "../store/keys.js";
import type { RedisClient } from "../store/redis-client.js";
import {
  CONTROL_ACTIONS,
  type ControlAction,
  type Refusal,
  TARGET_STATUSES,
  type TargetStatus,
} from "./lifecycle.js";
import { defineEngineScripts, type EngineScripts, type ScriptReply } from "./scripts.js";
import type { TargetIdentity, TargetOutcome } from "./target-record.js";

const WRITE_CHUNK = 1000;
/** Targets moved per sweep call: a 100k-target cancel is 100 short calls, not one long one. */
export const SWEEP_BATCH = 1000;

export interface EngineOptions {
  /** The outbox stream keeps about this many events (XADD MAXLEN ~). */
  eventsMaxLen: number;
  /** At most this many targets of one rollout are running (queued or in flight) at once. */
  window: number;
}

export type CreateResult =
  | { kind: "created" }
  | { kind: "exists"; existing: string }
  | { kind: "follows_missing" };
export type StartResult =
  | { kind: "started"; waveDone: boolean }
  | { kind: "paused"; reason: string }
  | { kind: "cancelled" }
  | { kind: "not_planning"; status: string };
export type AdvanceResult =
  | { kind: "finished"; status: string }
  | { kind: "paused"; reason: string }
  | { kind: "next"; wave: number }
  | { kind: "noop" };
export type ControlResult =
  | { ok: true; previous: string /** a resume that put the rollout back to planning */; replan: boolean }
  | { ok: false; refusal: Refusal; status?: string };

/** A target handed to the queue: the job that holds it and what the job needs to send it. */
export interface Offered {
  index: number;
  jobId: string;
  identity: TargetIdentity;
  /** HTTP attempts of earlier runs (a retried target). */
  attempts: number;
}

export interface Held {
  index: number;
  jobId: string;
}

/** How one job ends its target; `to: "running"` records nothing (the job tries again). */
export interface FinishItem extends Held {
  to: TargetStatus;
  outcome?: TargetOutcome;
}

/** Where a rollout stands after targets finished: the caller's next move. */
export interface AfterTargets {
  next: "paused" | "wave_done" | "open";
  detail: string;
  /** Jobs the dispatch window takes now (0 = do not offer). */
  room: number;
  recorded: number;
}

const CREATE_CODES = ["created", "exists", "follows_missing"] as const;
const CONTROL_REFUSALS: Record<number, Refusal> = { 1: "not_allowed", 2: "missing", 3: "no_failed_targets" };

const pairs = (items: readonly Held[]) => items.flatMap((h) => [h.index, h.jobId]);

/**
 * The rollout engine: every transition of a rollout and its targets is one Lua script here, and
 * each script appends its event to the outbox stream in the same step. The queue, HTTP and
 * schedule code call these typed steps and never write rollout state themselves.
 */
export class RolloutEngine {
  private readonly scripts: EngineScripts;

  constructor(
    private readonly redis: RedisClient,
    readonly keys: Keys,
    readonly options: EngineOptions,
  ) {
    this.scripts = defineEngineScripts(redis, options.eventsMaxLen);
  }

  private run(name: keyof EngineScripts, id: string, ...args: Array<string | number>): Promise<ScriptReply> {
    return this.scripts[name](...this.keys.rolloutKeys(id), id, Date.now(), ...args);
  }

  /**
   * Stores a new rollout. `idempotency` keeps the first rollout of a caller's key for a while;
   * `follows` links it, durably and at most once, from another rollout's hash (a deploy phase
   * from its root: field `phase:<environment>`), so a step repeated creates nothing new.
   */
  async create(
    id: string,
    fields: Record<string, string>,
    by: { actor: string; action: string },
    idempotency?: { key: string; value: string; ttlSeconds: number },
    follows?: { rolloutId: string; field: string },
  ): Promise<CreateResult> {
    const [code, existing] = await this.scripts.create(
      ...this.keys.rolloutKeys(id),
      this.keys.index(partitionOf(id)),
      // Without an Idempotency-Key the script reads no key there: any key of the rollout's slot does.
      idempotency?.key ?? this.keys.rollout(id),
      // A phase's id is drawn in its root's partition, so the link is in the same slot.
      this.keys.rollout(follows?.rolloutId ?? id),
      id,
      Date.now(),
      by.actor,
      by.action,
      idempotency?.value ?? "",
      idempotency?.ttlSeconds ?? 0,
      follows?.field ?? "",
      ...Object.entries(fields).flat(),
    );
    const kind = CREATE_CODES[Number(code)] ?? "exists";
    return kind === "exists" ? { kind, existing: String(existing ?? "") } : { kind };
  }

  /** Replaces the rollout's targets (a re-run of planning starts from a clean slate). */
  async writeTargets(
    id: string,
    targets: ReadonlyArray<{ identity: TargetIdentity; status: TargetStatus; outcome?: TargetOutcome }>,
  ): Promise<void> {
    const k = this.keys;
    await this.redis.del(
      k.targets(id),
      k.outcomes(id),
      k.holders(id),
      ...TARGET_STATUSES.map((s) => k.status(id, s)),
    );
    for (let start = 0; start < targets.length; start += WRITE_CHUNK) {
      const identities: string[] = [];
      const outcomes: string[] = [];
      const bySet = new Map<TargetStatus, Array<number | string>>();
      targets.slice(start, start + WRITE_CHUNK).forEach((target, offset) => {
        const index = String(start + offset);
        identities.push(index, JSON.stringify(target.identity));
        if (target.outcome !== undefined) outcomes.push(index, JSON.stringify(target.outcome));
        const members = bySet.get(target.status) ?? [];
        members.push(index, index);
        bySet.set(target.status, members);
      });
      const pipeline = this.redis.pipeline().hset(k.targets(id), ...identities);
      if (outcomes.length > 0) pipeline.hset(k.outcomes(id), ...outcomes);
      for (const [set, members] of bySet) pipeline.zadd(k.status(id, set), ...members);
      const failure = (await pipeline.exec())?.find(([error]) => error);
      if (failure?.[0]) throw failure[0];
    }
  }

  async start(id: string, bounds: readonly number[], maxErrors: number): Promise<StartResult> {
    const [code, a] = await this.run("start", id, JSON.stringify(bounds), maxErrors);
    switch (Number(code)) {
      case 0:
        return { kind: "started", waveDone: a === "wave_done" };
      case 1:
        return { kind: "paused", reason: String(a) };
      case 2:
        return { kind: "cancelled" };
      default:
        return { kind: "not_planning", status: String(a) };
    }
  }

  async failPlanning(id: string, reason: string): Promise<boolean> {
    const [code] = await this.run("fail-planning", id, reason);
    return Number(code) === 0;
  }

  /** Planning waits for an operator (e.g. the gateway refused the token); a resume plans again. */
  async pausePlanning(id: string, reason: string): Promise<boolean> {
    const [code] = await this.run("pause-planning", id, reason);
    return Number(code) === 0;
  }

  /**
   * Moves pending targets of the released waves into the dispatch window; `perJob` consecutive
   * targets share a job id (batch mode).
   */
  async offer(id: string, perJob = 1): Promise<Offered[]> {
    const reply = await this.run("offer", id, this.options.window, perJob);
    const offered: Offered[] = [];
    for (let i = 0; i + 3 < reply.length; i += 4) {
      const last = String(reply[i + 3]);
      offered.push({
        index: Number(reply[i]),
        jobId: String(reply[i + 1]),
        identity: JSON.parse(String(reply[i + 2])) as TargetIdentity,
        attempts: last === "" ? 0 : ((JSON.parse(last) as TargetOutcome).a ?? 0),
      });
    }
    return offered;
  }

  async finish(
    id: string,
    items: readonly FinishItem[],
    extra: { pauseReason?: string | undefined; retries?: Record<string, number> | undefined } = {},
  ): Promise<AfterTargets> {
    const args = items.flatMap((f) => [
      f.index,
      f.jobId,
      f.to,
      f.outcome === undefined ? "" : JSON.stringify(f.outcome),
    ]);
    const retries =
      extra.retries && Object.keys(extra.retries).length > 0 ? JSON.stringify(extra.retries) : "";
    const [next, detail, room, recorded] = await this.run(
      "finish",
      id,
      this.options.window,
      extra.pauseReason ?? "",
      retries,
      items.length,
      ...args,
    );
    return {
      next: next as AfterTargets["next"],
      detail: String(detail ?? ""),
      room: Number(room ?? 0),
      recorded: Number(recorded ?? 0),
    };
  }

  /** Targets whose jobs are gone or were taken off the queue: back to pending (or cancelled). */
  async recall(id: string, held: readonly Held[]): Promise<number> {
    if (held.length === 0) return 0;
    const [moved] = await this.run("recall", id, held.length, ...pairs(held));
    return Number(moved ?? 0);
  }

  async advance(id: string, wave: number, pauseBetweenWaves: boolean): Promise<AdvanceResult> {
    const [code, detail] = await this.run("advance", id, wave, pauseBetweenWaves ? "1" : "0");
    switch (Number(code)) {
      case 0:
        return { kind: "finished", status: String(detail) };
      case 1:
        return { kind: "paused", reason: String(detail) };
      case 2:
        return { kind: "next", wave: Number(detail) };
      default:
        return { kind: "noop" };
    }
  }

  async control(id: string, action: ControlAction, actor: string, reason: string): Promise<ControlResult> {
    const [code, status, replan] = await this.run(
      "control",
      id,
      action,
      actor,
      reason,
      CONTROL_ACTIONS[action].from.join(","),
    );
    if (Number(code) === 0) return { ok: true, previous: String(status), replan: Number(replan) === 1 };
    const refusal = CONTROL_REFUSALS[Number(code)] ?? "not_allowed";
    return status === undefined ? { ok: false, refusal } : { ok: false, refusal, status: String(status) };
  }

  /** Runs the bulk move a cancel or retry started, one bounded batch per call, to its end. */
  async sweep(id: string): Promise<number> {
    let moved = 0;
    for (;;) {
      const [n, more] = await this.run("sweep", id, SWEEP_BATCH);
      moved += Number(n);
      if (Number(more) === 0) return moved;
    }
  }
}
