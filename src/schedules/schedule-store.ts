import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { Keys } from "../store/keys.js";
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
// audit event goes to the outbox (KEYS[3]) in the same step, so no crash can lose it.
const PUT = `
if redis.call('sismember', KEYS[2], ARGV[1]) == 0 and redis.call('scard', KEYS[2]) >= tonumber(ARGV[5]) then
  return -1
end
redis.call('hset', KEYS[1], 'definition', ARGV[2], 'updatedAt', ARGV[3], 'updatedBy', ARGV[4])
local created = redis.call('hsetnx', KEYS[1], 'createdAt', ARGV[3])
redis.call('hsetnx', KEYS[1], 'createdBy', ARGV[4])
redis.call('sadd', KEYS[2], ARGV[1])
local detail = 'replaced'
if created == 1 then detail = 'created' end
redis.call('xadd', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'r', '', 'k', 'audit', 'by', ARGV[4],
  'a', 'schedule.put', 'sc', ARGV[1], 'd', detail)
return created`;

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
  private readonly putScript: RedisScript<number>;
  private readonly recordScript: RedisScript<number>;
  private readonly unlockScript: RedisScript<number>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** The outbox stream's approximate length (ENFORCER_EVENTS_MAXLEN). */
    private readonly eventsMaxLen = 100_000,
  ) {
    this.keys = new Keys(prefix);
    this.putScript = defineScript(redis, "enforcerSchedulePut", PUT, 3);
    // No numberOfKeys on RECORD: the slot marker is passed only for scheduled firings.
    this.recordScript = defineScript(redis, "enforcerScheduleRecord", RECORD);
    this.unlockScript = defineScript(redis, "enforcerScheduleUnlock", UNLOCK, 1);
  }

  /**
   * Creates or replaces the definition; the sweep's history and last rollout stay. A new sweep
   * is refused ("full") when `max` sweeps exist already.
   */
  async put(
    name: string,
    definition: ScheduleDefinition,
    by: string,
    now: Date,
    max: number,
  ): Promise<"created" | "replaced" | "full"> {
    const reply = await this.putScript(
      this.keys.schedule(name),
      this.keys.schedules,
      this.keys.events,
      name,
      JSON.stringify(definition),
      now.toISOString(),
      by,
      max,
      this.eventsMaxLen,
    );
    return reply === -1 ? "full" : reply === 1 ? "created" : "replaced";
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
    const replies = await this.redis
      .multi()
      .del(this.keys.schedule(name), this.keys.scheduleRuns(name))
      .srem(this.keys.schedules, name)
      .xadd(
        this.keys.events,
        "MAXLEN",
        "~",
        this.eventsMaxLen,
        "*",
        ...auditFields(by, "schedule.delete", name),
      )
      .exec();
    return replies?.[1]?.[1] === 1;
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
    const keys = [this.keys.schedule(name), this.keys.scheduleRuns(name), this.keys.events];
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
