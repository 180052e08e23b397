import type { Held } from "../engine/engine.js";
import { TARGET_STATUSES, type TargetStatus } from "../engine/lifecycle.js";
import type { TargetIdentity, TargetOutcome, TargetRecord } from "../engine/target-record.js";
import { Keys, PARTITIONS, partitionOf, rolloutIdPrefix } from "./keys.js";
import type { RedisClient } from "./redis-client.js";

/** The rollout hash as stored. */
export type RolloutFields = Record<string, string>;

export interface StoredRollout {
  id: string;
  fields: RolloutFields;
  /** Targets by public status; `total` is their sum, so counts add up at every moment. */
  counts: Record<TargetStatus, number> & { total: number };
}

const PARTITION_NUMBERS = Array.from({ length: PARTITIONS }, (_, n) => n);

/**
 * The first `limit` ids of the partitions' sorted lists, in the same order (ids are unique, and
 * each list is the partition's first `limit`, so the merged head is exact).
 */
function mergeHeads(lists: string[][], limit: number, newestFirst: boolean): string[] {
  const merged = lists.flat().sort();
  if (newestFirst) merged.reverse();
  return merged.slice(0, limit);
}

function execOrThrow(replies: Array<[Error | null, unknown]> | null): unknown[] {
  const failure = (replies ?? []).find(([error]) => error);
  if (failure?.[0]) throw failure[0];
  return (replies ?? []).map(([, value]) => value);
}

/** Reads of rollouts and their targets (every write is a step of the engine). */
export class RolloutStore {
  readonly keys: Keys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
  }

  async get(id: string): Promise<StoredRollout | undefined> {
    return (await this.getMany([id]))[0];
  }

  /**
   * Several rollouts with their counts, one pipeline per partition (a Cluster pipeline names one
   * slot), all sent at once; missing ones are undefined.
   */
  async getMany(ids: readonly string[]): Promise<Array<StoredRollout | undefined>> {
    const byPartition = new Map<number, string[]>();
    for (const id of ids) {
      const group = byPartition.get(partitionOf(id)) ?? [];
      group.push(id);
      byPartition.set(partitionOf(id), group);
    }
    const found = new Map<string, StoredRollout>();
    await Promise.all(
      [...byPartition.values()].map(async (group) => {
        for (const stored of await this.getInPartition(group)) if (stored) found.set(stored.id, stored);
      }),
    );
    return ids.map((id) => found.get(id));
  }

  private async getInPartition(ids: readonly string[]): Promise<Array<StoredRollout | undefined>> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.keys.rollout(id));
      for (const status of TARGET_STATUSES) pipeline.zcard(this.keys.status(id, status));
    }
    const replies = execOrThrow(await pipeline.exec());
    const stride = TARGET_STATUSES.length + 1;
    return ids.map((id, n) => {
      const fields = replies[n * stride] as RolloutFields | undefined;
      if (!fields || Object.keys(fields).length === 0) return undefined;
      const counts = Object.fromEntries(TARGET_STATUSES.map((s) => [s, 0])) as StoredRollout["counts"];
      counts.total = 0;
      TARGET_STATUSES.forEach((status, i) => {
        const size = Number(replies[n * stride + i + 1] ?? 0);
        counts[status] = size;
        counts.total += size;
      });
      return { id, fields, counts };
    });
  }

  getField(id: string, field: string): Promise<string | null> {
    return this.redis.hget(this.keys.rollout(id), field);
  }

  /**
   * Rollout ids, newest first, strictly after `cursor` (an id): the heads of every partition's
   * index, merged (one command per partition, sent at once).
   */
  async listIds(limit: number, cursor?: string): Promise<string[]> {
    const heads = await Promise.all(
      PARTITION_NUMBERS.map((n) =>
        this.redis.zrevrangebylex(this.keys.index(n), cursor ? `(${cursor}` : "+", "-", "LIMIT", 0, limit),
      ),
    );
    return mergeHeads(heads, limit, true);
  }

  /** Up to `limit` ids of rollouts created before `time`, oldest first, strictly after `after`. */
  async idsCreatedBefore(time: number, limit: number, after?: string): Promise<string[]> {
    const from = after === undefined ? "-" : `(${after}`;
    const heads = await Promise.all(
      PARTITION_NUMBERS.map((n) =>
        this.redis.zrangebylex(this.keys.index(n), from, `(${rolloutIdPrefix(time)}`, "LIMIT", 0, limit),
      ),
    );
    return mergeHeads(heads, limit, false);
  }

  /**
   * Removes a rollout and all its targets (UNLINK: freed in the background, Redis is not blocked);
   * one MULTI, as every key is in the rollout's partition.
   */
  async delete(id: string): Promise<void> {
    const k = this.keys;
    const partition = partitionOf(id);
    await this.redis
      .multi()
      .unlink(
        k.rollout(id),
        k.targets(id),
        k.outcomes(id),
        k.holders(id),
        ...TARGET_STATUSES.map((s) => k.status(id, s)),
      )
      .zrem(k.index(partition), id)
      .srem(k.active(partition), id)
      .exec();
  }

  /** What an Idempotency-Key of `caller` holds: `<body hash> <rollout id>`, or null. */
  idempotencyRecord(caller: string, key: string): Promise<string | null> {
    return this.redis.get(this.keys.idempotency(caller, key).key);
  }

  /** The rollouts the reconciler watches, of every partition. */
  async activeIds(): Promise<string[]> {
    const sets = await Promise.all(PARTITION_NUMBERS.map((n) => this.redis.smembers(this.keys.active(n))));
    return sets.flat();
  }

  forgetActive(id: string): Promise<number> {
    return this.redis.srem(this.keys.active(partitionOf(id)), id);
  }

  touch(id: string): Promise<number> {
    return this.redis.hset(this.keys.rollout(id), "updatedAt", Date.now());
  }

  /** Target indexes in a public status, ascending, in [from, below). */
  async indexesIn(
    id: string,
    status: TargetStatus,
    from: number,
    below: number,
    limit: number,
  ): Promise<number[]> {
    const page = await this.redis.zrangebyscore(
      this.keys.status(id, status),
      from,
      `(${below}`,
      "LIMIT",
      0,
      limit,
    );
    return page.map(Number);
  }

  /** Running targets (queued or in flight) with the jobs that hold them. */
  async held(id: string, limit: number): Promise<Held[]> {
    const indexes = await this.redis.zrange(this.keys.status(id, "running"), 0, limit - 1);
    if (indexes.length === 0) return [];
    const jobs = await this.redis.hmget(this.keys.holders(id), ...indexes);
    return indexes.flatMap((index, i) => {
      const jobId = jobs[i];
      return jobId ? [{ index: Number(index), jobId }] : [];
    });
  }

  /** Of these target indexes, the ones `jobId` still holds (a re-run job skips what it finished). */
  async heldBy(id: string, jobId: string, indexes: readonly number[]): Promise<Set<number>> {
    if (indexes.length === 0) return new Set();
    const holders = await this.redis.hmget(this.keys.holders(id), ...indexes.map(String));
    return new Set(indexes.filter((_, i) => holders[i] === jobId));
  }

  /** Targets by index, with their status (given, or looked up); missing ones are left out. */
  async targetsAt(
    id: string,
    indexes: readonly number[],
    status?: TargetStatus,
  ): Promise<Array<[number, TargetRecord]>> {
    if (indexes.length === 0) return [];
    const k = this.keys;
    const fields = indexes.map(String);
    const pipeline = this.redis
      .pipeline()
      .hmget(k.targets(id), ...fields)
      .hmget(k.outcomes(id), ...fields)
      .hget(k.rollout(id), "cancelReason");
    const lookup = status === undefined ? TARGET_STATUSES : [];
    for (const set of lookup) pipeline.zmscore(k.status(id, set), ...fields);
    const [identities, outcomes, cancelReason, ...scores] = execOrThrow(await pipeline.exec()) as [
      Array<string | null>,
      Array<string | null>,
      string | null,
      ...Array<Array<string | null>>,
    ];
    const out: Array<[number, TargetRecord]> = [];
    indexes.forEach((index, i) => {
      const raw = identities?.[i];
      if (raw === null || raw === undefined) return;
      const { v: _wanted, ...identity } = JSON.parse(raw) as TargetIdentity;
      const outcomeRaw = outcomes?.[i];
      const outcome = outcomeRaw ? (JSON.parse(outcomeRaw) as TargetOutcome) : {};
      const set = status ?? lookup[scores.findIndex((s) => s?.[i] !== null)] ?? "pending";
      const record: TargetRecord = { ...identity, ...outcome, s: set };
      // Targets a cancel swept carry no outcome of their own: the rollout's reason is theirs.
      if (set === "cancelled" && record.r === undefined && cancelReason !== null) record.r = cancelReason;
      out.push([index, record]);
    });
    return out;
  }
}
