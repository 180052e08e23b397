import { canonicalHash } from "../store/canonical-hash.js";
import { Keys } from "../store/keys.js";
import type { RedisClient } from "../store/redis-client.js";
import { defineScript, type RedisScript } from "../store/redis-script.js";
import { DELETE_POLICY, PUT_POLICY } from "./policy-scripts.js";
import type { PolicyBody } from "./schema.js";

/** Who wrote a version, when, and why: what listings show. */
export interface VersionInfo {
  version: number;
  createdBy: string;
  createdAt: string;
  description: string | null;
}

/** One stored version of a named policy. */
export interface PolicyVersion extends VersionInfo {
  name: string;
  policy: PolicyBody["policy"];
}

export type PutOutcome = "created" | "changed" | "unchanged" | "stale" | "full" | "versions";

export type DeleteOutcome =
  | { outcome: "missing" }
  | { outcome: "referenced"; count: number; schedules: string[] }
  | { outcome: "deleted"; version: number };

/**
 * Redis persistence of named policies: per policy a hash (latest version, content digest), the
 * versions by number, and a log of who wrote each; a sorted set of names pages them without
 * scanning the keyspace.
 */
export class PolicyStore {
  readonly keys: Keys;
  private readonly putScript: RedisScript<[PutOutcome, number]>;
  private readonly deleteScript: RedisScript<[string, ...Array<string | number>]>;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** The outbox stream's approximate length (ENFORCER_EVENTS_MAXLEN). */
    private readonly eventsMaxLen = 100_000,
  ) {
    this.keys = new Keys(prefix);
    this.putScript = defineScript(redis, "enforcerPolicyPut", PUT_POLICY, 5);
    this.deleteScript = defineScript(redis, "enforcerPolicyDelete", DELETE_POLICY, 6);
  }

  /**
   * Stores `body` as the next version unless it is the latest one's content already; `expected`
   * (If-Match) refuses the write ("stale") unless the latest version is that one.
   */
  async put(
    name: string,
    body: PolicyBody,
    by: string,
    limits: { maxPolicies: number; maxVersions: number; expected?: number | undefined },
  ): Promise<{ outcome: PutOutcome; version: number }> {
    const k = this.keys;
    const createdAt = new Date().toISOString();
    const description = body.description ?? null;
    const [outcome, version] = await this.putScript(
      k.policy(name),
      k.policyVersions(name),
      k.policyLog(name),
      k.policies,
      k.globalEvents,
      name,
      canonicalHash({ policy: body.policy, description }),
      JSON.stringify({ policy: body.policy, description, createdBy: by, createdAt }),
      JSON.stringify({ description, createdBy: by, createdAt }),
      by,
      limits.maxPolicies,
      limits.maxVersions,
      limits.expected ?? "",
      this.eventsMaxLen,
    );
    return { outcome, version };
  }

  /** The latest version's number; 0 when there is no such policy. */
  async latest(name: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.policy(name), "latest")) ?? 0);
  }

  async version(name: string, version: number): Promise<PolicyVersion | undefined> {
    const raw = await this.redis.hget(this.keys.policyVersions(name), String(version));
    if (raw === null) return undefined;
    return { name, version, ...(JSON.parse(raw) as Omit<PolicyVersion, "name" | "version">) };
  }

  /** Every version's who, when and description, oldest first (at most ENFORCER_MAX_POLICY_VERSIONS). */
  async history(name: string): Promise<VersionInfo[]> {
    const log = await this.redis.lrange(this.keys.policyLog(name), 0, -1);
    return log.map((entry, i) => ({
      version: i + 1,
      ...(JSON.parse(entry) as Omit<VersionInfo, "version">),
    }));
  }

  /** A page of policies in name order after `cursor` (a name), each with its latest version's info. */
  async page(cursor: string | undefined, limit: number) {
    const names = await this.redis.zrangebylex(
      this.keys.policies,
      cursor === undefined ? "-" : `(${cursor}`,
      "+",
      "LIMIT",
      0,
      limit + 1,
    );
    const shown = names.slice(0, limit);
    const pipeline = this.redis.pipeline();
    for (const name of shown)
      pipeline.lrange(this.keys.policyLog(name), -1, -1).llen(this.keys.policyLog(name));
    const replies = (await pipeline.exec()) ?? [];
    const items = shown.flatMap((name, i) => {
      const [entry] = (replies[2 * i]?.[1] as string[] | undefined) ?? [];
      // Deleted between the two reads.
      if (entry === undefined) return [];
      const version = Number(replies[2 * i + 1]?.[1]);
      return [{ name, version, ...(JSON.parse(entry) as Omit<VersionInfo, "version">) }];
    });
    return { items, nextCursor: names.length > limit ? (shown.at(-1) ?? null) : null };
  }

  async delete(name: string, by: string): Promise<DeleteOutcome> {
    const k = this.keys;
    const [outcome, ...rest] = await this.deleteScript(
      k.policy(name),
      k.policyVersions(name),
      k.policyLog(name),
      k.policies,
      k.policyReferrers(name),
      k.globalEvents,
      name,
      by,
      this.eventsMaxLen,
    );
    if (outcome === "referenced") {
      const [count, ...schedules] = rest;
      return { outcome, count: Number(count), schedules: schedules.map(String) };
    }
    return outcome === "deleted" ? { outcome, version: Number(rest[0]) } : { outcome: "missing" };
  }
}
