import { randomUUID } from "node:crypto";
import { parsePolicyRef } from "../rollouts/names.js";
import { ServiceError } from "../service/service-error.js";
import { Keys } from "../store/keys.js";
import type { RedisClient } from "../store/redis-client.js";
import { defineScript, type RedisScript } from "../store/redis-script.js";
import type { ScheduleDefinition } from "./schema.js";

/** How many recent firings a sweep keeps. */
export const RUNS_KEPT = 20;
/**
 * Held for the few Redis calls of one firing; short enough that a crashed holder's lock lapses
 * before BullMQ's retries of the next slot run out (1 + 2 + 4 + 8 s).
 */
const LOCK_MS = 10_000;
/** A re-run of a slot's job comes within BullMQ's stall detection, minutes at most. */
const SLOT_MARKER_TTL_SECONDS = 3600;

export type PutOutcome = "created" | "replaced" | "full" | "unknown_policy" | "unknown_version";
const PUT_OUTCOMES: Record<number, PutOutcome> = {
  1: "created",
  0: "replaced",
  [-1]: "full",
  [-3]: "unknown_policy",
  [-4]: "unknown_version",
};

/** One firing as recorded: the rollout it created, or why it created none. */
export interface ScheduleRun {
  /** When it fired (ISO). */
  at: string;
  /** The slot it fired for (ISO); absent for `POST .../run`. */
  slot?: string;
  /** The caller of `POST .../run`; absent for scheduled firings. */
  by?: string;
  rolloutId?: string;
  /** Why no rollout was created. */
  skipped?: string;
}

export interface StoredSchedule {
  name: string;
  definition: ScheduleDefinition;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /** The sweep's newest rollout: the next firing is skipped while it is not finished. */
  lastRollout?: string;
}

// A new sweep only while there are fewer than ARGV[5]; replacing one is always allowed. The
// audit event goes to the outbox (KEYS[3]) in the same step, so no crash can lose it. A sweep whose
// rollout names a policy is kept in that policy's referrers set, checked in the same step, so a
// policy is never deleted under a sweep (policy-scripts.ts refuses while the set is not empty).
// KEYS: schedule, schedules, outbox; the previous policy's referrers (when ARGV[7] ~= ''); the
//   new policy's hash and referrers (when ARGV[8] ~= '')
// ARGV: name, definition, now, actor, max, events maxLen, previous policy, policy, pinned version
// Returns: {1 created | 0 replaced | -1 full | -2 previous policy changed meanwhile
//   | -3 no such policy | -4 no such version, the policy's latest version}
const PUT = `
if (redis.call('hget', KEYS[1], 'policyRef') or '') ~= ARGV[7] then return {-2, 0} end
if redis.call('sismember', KEYS[2], ARGV[1]) == 0 and redis.call('scard', KEYS[2]) >= tonumber(ARGV[5]) then
  return {-1, 0}
end
local k = 4
local previous = nil
if ARGV[7] ~= '' then previous = KEYS[k]; k = k + 1 end
if ARGV[8] ~= '' then
  local latest = tonumber(redis.call('hget', KEYS[k], 'latest') or '0')
  if latest == 0 then return {-3, 0} end
  if ARGV[9] ~= '' and tonumber(ARGV[9]) > latest then return {-4, latest} end
end
redis.call('hset', KEYS[1], 'definition', ARGV[2], 'updatedAt', ARGV[3], 'updatedBy', ARGV[4])
local created = redis.call('hsetnx', KEYS[1], 'createdAt', ARGV[3])
redis.call('hsetnx', KEYS[1], 'createdBy', ARGV[4])
redis.call('sadd', KEYS[2], ARGV[1])
if previous then redis.call('srem', previous, ARGV[1]) end
if ARGV[8] ~= '' then
  redis.call('sadd', KEYS[k + 1], ARGV[1])
  redis.call('hset', KEYS[1], 'policyRef', ARGV[8])
else
  redis.call('hdel', KEYS[1], 'policyRef')
end
local detail = 'replaced'
if created == 1 then detail = 'created' end
redis.call('xadd', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'r', '', 'k', 'audit', 'by', ARGV[4],
  'a', 'schedule.put', 'sc', ARGV[1], 'd', detail)
return {created, 0}`;

// Removes the sweep, its history and its place among its policy's referrers, with the audit event.
// KEYS: schedule, runs, schedules, outbox; the policy's referrers (when ARGV[3] ~= '')
// ARGV: name, events maxLen, policy, the audit event's fields...
// Returns: {1} deleted | {0} there was none | {-2} its policy changed meanwhile
const DELETE = `
if (redis.call('hget', KEYS[1], 'policyRef') or '') ~= ARGV[3] then return {-2} end
redis.call('del', KEYS[1], KEYS[2])
local removed = redis.call('srem', KEYS[3], ARGV[1])
if ARGV[3] ~= '' then redis.call('srem', KEYS[5], ARGV[1]) end
redis.call('xadd', KEYS[4], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 4))
return {removed}`;

// A firing that finishes after its schedule was deleted must not bring a half record back.
// ARGV[5..]: the firing's audit event (fields), written to the outbox (KEYS[3]) in the same step.
const RECORD = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
if KEYS[4] then redis.call('set', KEYS[4], '1', 'EX', ARGV[4]) end
if ARGV[3] ~= '' then redis.call('hset', KEYS[1], 'lastRollout', ARGV[3]) end
redis.call('lpush', KEYS[2], ARGV[1])
redis.call('ltrim', KEYS[2], 0, tonumber(ARGV[2]) - 1)
if #ARGV > 5 then redis.call('xadd', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', unpack(ARGV, 6)) end
return 1`;

const UNLOCK = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

/** An outbox event of a sweep call, as the stream's fields (see engine/events.ts). */
function auditFields(
  actor: string,
  action: string,
  schedule: string,
  extra: { detail?: string | undefined; rolloutId?: string | undefined } = {},
): string[] {
  return [
    "r",
    extra.rolloutId ?? "",
    "k",
    "audit",
    "by",
    actor,
    "a",
    action,
    "sc",
    schedule,
    "d",
    extra.detail ?? "",
  ];
}

/** Redis persistence of compliance sweeps: a hash per sweep, a set of names, a capped run list. */
export class ScheduleStore {
  readonly keys: Keys;
  private readonly putScript: RedisScript<[number, number]>;
  private readonly deleteScript: RedisScript<[number]>;
  private readonly recordScript: RedisScript<number>;
  private readonly unlockScript: RedisScript<number>;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** The outbox stream's approximate length (ENFORCER_EVENTS_MAXLEN). */
    private readonly eventsMaxLen = 100_000,
  ) {
    this.keys = new Keys(prefix);
    // No numberOfKeys on PUT and DELETE: policy keys are passed only for sweeps that name one.
    this.putScript = defineScript(redis, "enforcerSchedulePut", PUT);
    this.deleteScript = defineScript(redis, "enforcerScheduleDelete", DELETE);
    // No numberOfKeys on RECORD: the slot marker is passed only for scheduled firings.
    this.recordScript = defineScript(redis, "enforcerScheduleRecord", RECORD);
    this.unlockScript = defineScript(redis, "enforcerScheduleUnlock", UNLOCK, 1);
  }

  /**
   * Creates or replaces the definition; the sweep's history and last rollout stay. A new sweep
   * is refused ("full") when `max` sweeps exist already, and one whose rollout names a policy
   * (or version) that does not exist is refused too, with the policy's latest version.
   */
  async put(
    name: string,
    definition: ScheduleDefinition,
    by: string,
    now: Date,
    max: number,
  ): Promise<{ outcome: PutOutcome; latest: number }> {
    const ref = definition.rollout.policyRef;
    const { name: policy = "", version = "" } = ref === undefined ? {} : parsePolicyRef(ref);
    const [code, latest] = await this.whileReferenceHolds(name, (previous) => {
      const keys = [this.keys.schedule(name), this.keys.schedules, this.keys.globalEvents];
      if (previous !== "") keys.push(this.keys.policyReferrers(previous));
      if (policy !== "") keys.push(this.keys.policy(policy), this.keys.policyReferrers(policy));
      const args = [JSON.stringify(definition), now.toISOString(), by, max, this.eventsMaxLen];
      return this.putScript(keys.length, ...keys, name, ...args, previous, policy, version);
    });
    return { outcome: PUT_OUTCOMES[code] ?? "replaced", latest };
  }

  /**
   * Runs a step that checks the policy the sweep referred to when it was read (-2 when a
   * concurrent write changed it since): read it again and retry.
   */
  private async whileReferenceHolds<T extends number[]>(
    name: string,
    step: (previous: string) => Promise<T>,
  ): Promise<T> {
    for (let tries = 0; tries < 5; tries++) {
      const previous = (await this.redis.hget(this.keys.schedule(name), "policyRef")) ?? "";
      const result = await step(previous);
      if (result[0] !== -2) return result;
    }
    throw new ServiceError("conflict", `schedule ${name} is being changed by another call; try again`);
  }

  async get(name: string): Promise<StoredSchedule | undefined> {
    const fields = await this.redis.hgetall(this.keys.schedule(name));
    if (fields.definition === undefined) return undefined;
    return {
      name,
      definition: JSON.parse(fields.definition) as ScheduleDefinition,
      createdAt: fields.createdAt ?? "",
      createdBy: fields.createdBy ?? "",
      updatedAt: fields.updatedAt ?? "",
      updatedBy: fields.updatedBy ?? "",
      ...(fields.lastRollout === undefined ? {} : { lastRollout: fields.lastRollout }),
    };
  }

  async names(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.schedules)).sort();
  }

  /** A page of names in order, those after `cursor` (a name); at most ENFORCER_MAX_SCHEDULES exist. */
  async namesAfter(cursor: string | undefined, limit: number): Promise<{ names: string[]; more: boolean }> {
    const after = (await this.names()).filter((name) => cursor === undefined || name > cursor);
    return { names: after.slice(0, limit), more: after.length > limit };
  }

  /** Removes the definition and its history (and writes the audit event); false when there was none. */
  async delete(name: string, by: string): Promise<boolean> {
    const audit = auditFields(by, "schedule.delete", name);
    const [removed] = await this.whileReferenceHolds(name, (previous) => {
      const keys = [
        this.keys.schedule(name),
        this.keys.scheduleRuns(name),
        this.keys.schedules,
        this.keys.globalEvents,
      ];
      if (previous !== "") keys.push(this.keys.policyReferrers(previous));
      return this.deleteScript(keys.length, ...keys, name, this.eventsMaxLen, previous, ...audit);
    });
    return removed === 1;
  }

  async runs(name: string): Promise<ScheduleRun[]> {
    const items = await this.redis.lrange(this.keys.scheduleRuns(name), 0, RUNS_KEPT - 1);
    return items.map((item) => JSON.parse(item) as ScheduleRun);
  }

  /**
   * Records a firing (and marks its slot handled) unless the sweep was deleted meanwhile, with its
   * audit event: a skip (`schedule.skipped`, which webhooks announce too) or a caller's run.
   */
  async record(name: string, run: ScheduleRun, slot?: number): Promise<void> {
    const keys = [this.keys.schedule(name), this.keys.scheduleRuns(name), this.keys.globalEvents];
    if (slot !== undefined) keys.push(this.keys.scheduleSlot(name, slot));
    const audit =
      run.skipped !== undefined
        ? auditFields(`schedule:${name}`, "schedule.skipped", name, { detail: run.skipped })
        : run.by !== undefined
          ? auditFields(run.by, "schedule.run", name, { rolloutId: run.rolloutId })
          : [];
    const args = [
      JSON.stringify(run),
      RUNS_KEPT,
      run.rolloutId ?? "",
      SLOT_MARKER_TTL_SECONDS,
      this.eventsMaxLen,
    ];
    await this.recordScript(keys.length, ...keys, ...args, ...audit);
  }

  async slotHandled(name: string, slot: number): Promise<boolean> {
    return (await this.redis.exists(this.keys.scheduleSlot(name, slot))) === 1;
  }

  /**
   * Runs `work` holding the sweep's lock (firings and deletion of one sweep take turns);
   * undefined, without running it, when someone else holds the lock.
   */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    const key = this.keys.scheduleLock(name);
    const token = randomUUID();
    if ((await this.redis.set(key, token, "PX", LOCK_MS, "NX")) !== "OK") return undefined;
    try {
      return await work();
    } finally {
      await this.unlockScript(key, token);
    }
  }
}
