import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { TARGET_STATUSES, type TargetStatus } from "../engine/lifecycle.js";

/**
 * Rollouts are spread over this many partitions, each in one Redis Cluster hash slot. Fixed:
 * another number would move existing rollouts to partitions nobody reads.
 */
export const PARTITIONS = 16;

/** A rollout's partition, from its id alone (any process finds its keys without a lookup). */
export const partitionOf = (id: string): number => crc32(id) % PARTITIONS;

/** An outbox stream and the suffix of its events' ids. */
export interface EventStream {
  key: string;
  source: string;
}

/**
 * Every Redis key the service owns, all under the configured prefix (BullMQ's queues share it).
 * Keys that a script or MULTI touches together share a hash tag, so each of those commands names
 * one Cluster slot: a rollout's keys with its partition's index, active set and outbox stream
 * (`{<prefix>:p<n>}`), everything else (sweeps, named policies, audit, their outbox) in
 * `{<prefix>:g}`. The tag repeats the prefix so two deployments on one cluster spread apart.
 */
export class Keys {
  private readonly global: string;

  constructor(readonly prefix: string) {
    this.global = `${prefix}:{${prefix}:g}`;
  }

  /** The start of every key of partition `n`. */
  partition(n: number): string {
    return `${this.prefix}:{${this.prefix}:p${n}}`;
  }

  private of(id: string): string {
    return this.partition(partitionOf(id));
  }

  /** Hash: the rollout's spec, status, wave, counters and times. */
  rollout(id: string): string {
    return `${this.of(id)}:rollout:${id}`;
  }

  /** Hash: target index → JSON of the target's identity (project, proxy, wave, before-image); written once. */
  targets(id: string): string {
    return `${this.of(id)}:rollout:${id}:t`;
  }

  /** Hash: target index → JSON of its last result (attempts, HTTP status, message, reason, time); replaced whole. */
  outcomes(id: string): string {
    return `${this.of(id)}:rollout:${id}:o`;
  }

  /** Hash: target index → the job that holds it while it is running (queued or in flight). */
  holders(id: string): string {
    return `${this.of(id)}:rollout:${id}:j`;
  }

  /** Sorted set per target status: the indexes of targets in it, scored by index (stable paging). */
  status(id: string, status: TargetStatus): string {
    return `${this.of(id)}:rollout:${id}:s:${status}`;
  }

  /**
   * Every key of one rollout in the order the engine's scripts bind them (engine/scripts.ts
   * generates the Lua side from the same list).
   */
  rolloutKeys(id: string): string[] {
    return [
      this.rollout(id),
      this.targets(id),
      this.outcomes(id),
      this.holders(id),
      this.active(partitionOf(id)),
      this.events(partitionOf(id)),
      ...TARGET_STATUSES.map((s) => this.status(id, s)),
    ];
  }

  /** Sorted set (all scores 0) of the partition's rollout ids; ids sort by creation time. */
  index(partition: number): string {
    return `${this.partition(partition)}:rollouts`;
  }

  /** Set of the partition's rollouts the reconciler still watches. */
  active(partition: number): string {
    return `${this.partition(partition)}:rollouts:active`;
  }

  /**
   * Stream: the partition's outbox. Every rollout transition appends its event here in the same
   * script, and the audit trail, webhooks, metrics, logs and progress streams read it.
   */
  events(partition: number): string {
    return `${this.partition(partition)}:events`;
  }

  /** Stream: the outbox of sweeps and named policies (their audit events). */
  get globalEvents(): string {
    return `${this.global}:events`;
  }

  /**
   * Every outbox stream, the partitions' and the global one, each with the suffix that makes its
   * entry ids unique across streams (an id is unique only within its stream).
   */
  get eventStreams(): EventStream[] {
    const partitions = Array.from({ length: PARTITIONS }, (_, n) => ({
      key: this.events(n),
      source: `p${n}`,
    }));
    return [...partitions, { key: this.globalEvents, source: "g" }];
  }

  /** Marker (with a TTL) that the audit entry of one event was written: re-deliveries add nothing. */
  auditSeen(eventId: string): string {
    return `${this.global}:audit:seen:${eventId}`;
  }

  /** Stream: the audit trail, oldest first, trimmed to about ENFORCER_AUDIT_MAXLEN entries. */
  get audit(): string {
    return `${this.global}:audit`;
  }

  /** Hash: a compliance sweep's definition, who wrote it and when, and its last rollout. */
  schedule(name: string): string {
    return `${this.global}:schedule:${name}`;
  }

  /** List, newest first and capped: the sweep's recent firings (rollouts created, skips). */
  scheduleRuns(name: string): string {
    return `${this.global}:schedule:${name}:runs`;
  }

  /** Short-lived lock: one firing of a sweep at a time decides "still running?" and creates. */
  scheduleLock(name: string): string {
    return `${this.global}:schedule:${name}:lock`;
  }

  /** Marker (with a TTL) of a slot already handled, so a re-run job of that slot does nothing. */
  scheduleSlot(name: string, slot: number): string {
    return `${this.global}:schedule:${name}:slot:${slot}`;
  }

  /** Set of schedule names. */
  get schedules(): string {
    return `${this.global}:schedules`;
  }

  /** Hash: a named policy's latest version number and the digest of its content (a PUT of the same content adds no version). */
  policy(name: string): string {
    return `${this.global}:policy:${name}`;
  }

  /** Hash: version number → JSON of that version (policy, description, who, when); written once. */
  policyVersions(name: string): string {
    return `${this.global}:policy:${name}:versions`;
  }

  /** List in version order: each version's who, when and description, without the policy (for listing). */
  policyLog(name: string): string {
    return `${this.global}:policy:${name}:log`;
  }

  /** Set: the schedules whose rollout refers to the policy; a referenced policy cannot be deleted. */
  policyReferrers(name: string): string {
    return `${this.global}:policy:${name}:schedules`;
  }

  /** Sorted set (all scores 0) of policy names, paged in name order. */
  get policies(): string {
    return `${this.global}:policies`;
  }

  /**
   * Where an Idempotency-Key of `caller` is recorded: in one partition, which the rollout it
   * creates is then drawn in (the create script checks and sets it in the same step).
   */
  idempotency(caller: string, key: string): { key: string; partition: number } {
    const digest = createHash("sha256").update(`${caller}\n${key}`).digest("base64url");
    const partition = partitionOf(digest);
    return { key: `${this.partition(partition)}:idem:${digest}`, partition };
  }
}

/**
 * Rollout ids start with "r" and their creation time in base 36 (fixed width), so they sort by
 * creation time: newest-first listing and pruning by age are ranges over one sorted set.
 */
export const rolloutIdPrefix = (time: number): string => `r${time.toString(36).padStart(9, "0")}`;

/**
 * A new rollout id: its creation time, then random characters, drawn again until the id falls in
 * `partition` when one is given (an Idempotency-Key's; 16 draws on average).
 */
export function newRolloutId(now: number, partition?: number): string {
  for (;;) {
    const id = `${rolloutIdPrefix(now)}${randomBytes(6).toString("base64url")}`;
    if (partition === undefined || partitionOf(id) === partition) return id;
  }
}
