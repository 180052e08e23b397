import type { Redis } from "ioredis";
import { TARGET_STATUSES, type TargetStatus } from "../rollouts/lifecycle.js";
import type { PlannedTarget } from "../rollouts/target-selection.js";
import { Keys, rolloutIdPrefix } from "./keys.js";
import { ADVANCE, CLAIM, CONTROL, CREATE, FAIL_PLANNING, FINISH, RELEASE, START } from "./lua.js";
import { defineScript, type RedisScript } from "./redis-script.js";
import { parseTarget, type TargetRecord } from "./target-record.js";

const SCRIPTS = { CLAIM, FINISH, RELEASE, START, FAIL_PLANNING, ADVANCE, CONTROL } as const;
const SCRIPT_KEY_COUNT = 10;
const WRITE_CHUNK = 1000;

type Reply = string[];

/** The rollout hash as stored. */
export type RolloutFields = Record<string, string>;

export interface StoredRollout {
  id: string;
  fields: RolloutFields;
  counts: Record<TargetStatus, number>;
}

export interface Finish {
  status: TargetStatus;
  attempts: number;
  httpStatus?: number;
  message?: string;
  reason?: string;
  /** Pause the rollout (gateway 401) in the same step. */
  pauseReason?: string;
  /** The settings the proxy had before (kept for revert). */
  before?: string;
}

/** Where a rollout stands after a target transition: the caller's next move. */
export interface Transition {
  changed: boolean;
  next: "paused" | "wave_done" | "open";
  detail: string;
}

/** Redis persistence of rollouts and their targets; every multi-key change is one Lua script. */
export class RolloutStore {
  readonly keys: Keys;
  private readonly scripts: Record<keyof typeof SCRIPTS, RedisScript<Reply>>;
  private readonly createScript: RedisScript<Reply>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
    this.scripts = Object.fromEntries(
      Object.entries(SCRIPTS).map(([name, lua]) => [
        name,
        defineScript<Reply>(redis, `enforcer${name}`, lua, SCRIPT_KEY_COUNT),
      ]),
    ) as Record<keyof typeof SCRIPTS, RedisScript<Reply>>;
    this.createScript = defineScript(redis, "enforcerCREATE", CREATE, 4);
  }

  private run(name: keyof typeof SCRIPTS, id: string, ...args: Array<string | number>): Promise<Reply> {
    return this.scripts[name](...this.keys.scriptKeys(id), ...args);
  }

  /** Creates the rollout, or returns the idempotency record that already holds the key. */
  async create(
    id: string,
    fields: RolloutFields,
    idempotency?: { key: string; value: string; ttlSeconds: number },
  ): Promise<{ created: true } | { created: false; existing: string }> {
    const [result, existing] = await this.createScript(
      this.keys.rollout(id),
      this.keys.index,
      this.keys.active,
      idempotency?.key ?? this.keys.idempotency("", ""),
      id,
      JSON.stringify(fields),
      idempotency?.value ?? "",
      idempotency?.ttlSeconds ?? 0,
    );
    return result === "created" ? { created: true } : { created: false, existing: existing ?? "" };
  }

  async get(id: string): Promise<StoredRollout | undefined> {
    return (await this.getMany([id]))[0];
  }

  /** Several rollouts with their counts in one round trip; missing ones are undefined. */
  async getMany(ids: readonly string[]): Promise<Array<StoredRollout | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.keys.rollout(id));
      for (const status of TARGET_STATUSES) pipeline.zcard(this.keys.status(id, status));
    }
    const replies = (await pipeline.exec()) ?? [];
    const failure = replies.find(([error]) => error);
    if (failure?.[0]) throw failure[0];
    const stride = TARGET_STATUSES.length + 1;
    return ids.map((id, n) => {
      const fields = replies[n * stride]?.[1] as RolloutFields | undefined;
      if (!fields || Object.keys(fields).length === 0) return undefined;
      const counts = Object.fromEntries(
        TARGET_STATUSES.map((s, i) => [s, Number(replies[n * stride + i + 1]?.[1] ?? 0)]),
      ) as Record<TargetStatus, number>;
      return { id, fields, counts };
    });
  }

  getField(id: string, field: string): Promise<string | null> {
    return this.redis.hget(this.keys.rollout(id), field);
  }

  /** Rollout ids, newest first, strictly after `cursor` (an id). */
  listIds(limit: number, cursor?: string): Promise<string[]> {
    return this.redis.zrevrangebylex(this.keys.index, cursor ? `(${cursor}` : "+", "-", "LIMIT", 0, limit);
  }

  /** Up to `limit` ids of rollouts created before `time`, oldest first, strictly after `after`. */
  idsCreatedBefore(time: number, limit: number, after?: string): Promise<string[]> {
    const from = after === undefined ? "-" : `(${after}`;
    return this.redis.zrangebylex(this.keys.index, from, `(${rolloutIdPrefix(time)}`, "LIMIT", 0, limit);
  }

  /** Removes a rollout and all its targets (UNLINK: freed in the background, Redis is not blocked). */
  async delete(id: string): Promise<void> {
    await this.redis
      .multi()
      .unlink(
        this.keys.rollout(id),
        this.keys.targets(id),
        ...TARGET_STATUSES.map((s) => this.keys.status(id, s)),
      )
      .zrem(this.keys.index, id)
      .srem(this.keys.active, id)
      .exec();
  }

  activeIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.active);
  }

  /** Replaces the rollout's targets (a re-run of planning starts from a clean slate). */
  async writeTargets(
    id: string,
    targets: readonly PlannedTarget[],
    waveOf: (index: number) => number,
  ): Promise<void> {
    await this.redis.del(this.keys.targets(id), ...TARGET_STATUSES.map((s) => this.keys.status(id, s)));
    for (let start = 0; start < targets.length; start += WRITE_CHUNK) {
      const records: string[] = [];
      const byStatus = new Map<TargetStatus, Array<number | string>>();
      targets.slice(start, start + WRITE_CHUNK).forEach((target, offset) => {
        const index = start + offset;
        const record: TargetRecord = {
          p: target.project,
          n: target.proxy,
          s: target.status,
          w: waveOf(index),
        };
        if (target.reason !== undefined) record.r = target.reason;
        if (target.before !== undefined) record.b = JSON.stringify(target.before);
        if (target.error !== undefined) {
          record.m = target.error.message;
          if (target.error.httpStatus !== undefined) record.h = target.error.httpStatus;
        }
        records.push(String(index), JSON.stringify(record));
        const members = byStatus.get(target.status) ?? [];
        members.push(index, String(index));
        byStatus.set(target.status, members);
      });
      const pipeline = this.redis.pipeline().hset(this.keys.targets(id), ...records);
      for (const [status, members] of byStatus) pipeline.zadd(this.keys.status(id, status), ...members);
      await pipeline.exec();
    }
  }

  async start(id: string, total: number, bounds: readonly number[], maxErrors: number): Promise<Reply> {
    return this.run("START", id, Date.now(), total, JSON.stringify(bounds), maxErrors);
  }

  async failPlanning(id: string, reason: string): Promise<boolean> {
    const [result] = await this.run("FAIL_PLANNING", id, Date.now(), reason);
    return result === "failed";
  }

  async claim(
    id: string,
    index: number,
    jobId: string,
  ): Promise<
    | { go: true; project: string; proxy: string; attempts: number; before: string }
    | { go: false; why: string }
  > {
    const [verdict, a, b, c, d] = await this.run("CLAIM", id, index, jobId, Date.now());
    return verdict === "go"
      ? { go: true, project: a ?? "", proxy: b ?? "", attempts: Number(c ?? 0), before: d ?? "" }
      : { go: false, why: a ?? "" };
  }

  async finish(id: string, index: number, jobId: string, f: Finish): Promise<Transition> {
    const [result, next, detail] = await this.run(
      "FINISH",
      id,
      index,
      jobId,
      f.status,
      f.attempts,
      f.httpStatus ?? "",
      f.message ?? "",
      f.reason ?? "",
      Date.now(),
      f.pauseReason ?? "",
      f.before ?? "",
    );
    return { changed: result === "done", next: next as Transition["next"], detail: detail ?? "" };
  }

  async release(id: string, index: number, jobId: string): Promise<boolean> {
    const [result] = await this.run("RELEASE", id, index, jobId, Date.now());
    return result === "released";
  }

  async advance(id: string, wave: number, pauseBetweenWaves: boolean): Promise<Reply> {
    return this.run("ADVANCE", id, wave, Date.now(), pauseBetweenWaves ? "1" : "0");
  }

  async control(
    id: string,
    action: string,
    allowedFrom: readonly string[],
    reason: string,
  ): Promise<{ ok: true; previous: string; gen: number; moved: number } | { ok: false; status: string }> {
    const [verdict, a, b, c] = await this.run(
      "CONTROL",
      id,
      action,
      allowedFrom.join(","),
      Date.now(),
      reason,
    );
    return verdict === "ok"
      ? { ok: true, previous: a ?? "", gen: Number(b ?? 0), moved: Number(c ?? 0) }
      : { ok: false, status: a ?? "missing" };
  }

  /** Target indexes in `status`, ascending, in [from, below). */
  indexesIn(id: string, status: TargetStatus, from: number, below: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.status(id, status), from, `(${below}`, "LIMIT", 0, limit);
  }

  /** Targets by index; missing ones are left out. */
  async targetsAt(id: string, indexes: readonly (number | string)[]): Promise<Array<[number, TargetRecord]>> {
    if (indexes.length === 0) return [];
    const raw = await this.redis.hmget(this.keys.targets(id), ...indexes.map(String));
    const out: Array<[number, TargetRecord]> = [];
    raw.forEach((value, i) => {
      if (value !== null) out.push([Number(indexes[i]), parseTarget(value)]);
    });
    return out;
  }

  forgetActive(id: string): Promise<number> {
    return this.redis.srem(this.keys.active, id);
  }

  touch(id: string): Promise<number> {
    return this.redis.hset(this.keys.rollout(id), "updatedAt", Date.now());
  }
}
