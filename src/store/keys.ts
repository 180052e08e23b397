import { createHash } from "node:crypto";
import { TARGET_STATUSES, type TargetStatus } from "../rollouts/lifecycle.js";

/** Every Redis key the service owns, all under the configured prefix (BullMQ's queues share it). */
export class Keys {
  constructor(readonly prefix: string) {}

  /** Hash: the rollout's spec, status, wave, counters and times. */
  rollout(id: string): string {
    return `${this.prefix}:rollout:${id}`;
  }

  /** Hash: target index → compact JSON of that target's identity and result. */
  targets(id: string): string {
    return `${this.prefix}:rollout:${id}:t`;
  }

  /** Sorted set per target status: the indexes of targets in it, scored by index (stable paging). */
  status(id: string, status: TargetStatus): string {
    return `${this.prefix}:rollout:${id}:s:${status}`;
  }

  /** Keys in the order every rollout script expects: rollout, targets, the status sets, active set. */
  scriptKeys(id: string): string[] {
    return [
      this.rollout(id),
      this.targets(id),
      ...TARGET_STATUSES.map((s) => this.status(id, s)),
      this.active,
    ];
  }

  /** Sorted set (all scores 0) of rollout ids; ids sort by creation time. */
  get index(): string {
    return `${this.prefix}:rollouts`;
  }

  /** Set of rollouts the reconciler still watches. */
  get active(): string {
    return `${this.prefix}:rollouts:active`;
  }

  /** Stream: the audit trail, oldest first, trimmed to about ENFORCER_AUDIT_MAXLEN entries. */
  get audit(): string {
    return `${this.prefix}:audit`;
  }

  /** Hash: a compliance sweep's definition, who wrote it and when, and its last rollout. */
  schedule(name: string): string {
    return `${this.prefix}:schedule:${name}`;
  }

  /** List, newest first and capped: the sweep's recent firings (rollouts created, skips). */
  scheduleRuns(name: string): string {
    return `${this.prefix}:schedule:${name}:runs`;
  }

  /** Short-lived lock: one firing of a sweep at a time decides "still running?" and creates. */
  scheduleLock(name: string): string {
    return `${this.prefix}:schedule:${name}:lock`;
  }

  /** Marker (with a TTL) of a slot already handled, so a re-run job of that slot does nothing. */
  scheduleSlot(name: string, slot: number): string {
    return `${this.prefix}:schedule:${name}:slot:${slot}`;
  }

  /** Set of schedule names. */
  get schedules(): string {
    return `${this.prefix}:schedules`;
  }

  idempotency(caller: string, key: string): string {
    const digest = createHash("sha256").update(`${caller}\n${key}`).digest("base64url");
    return `${this.prefix}:idem:${digest}`;
  }
}

/**
 * Rollout ids start with "r" and their creation time in base 36 (fixed width), so they sort by
 * creation time: newest-first listing and pruning by age are ranges over one sorted set.
 */
export const rolloutIdPrefix = (time: number): string => `r${time.toString(36).padStart(9, "0")}`;
