import { createHash } from "node:crypto";
import { TARGET_STATUSES, type TargetStatus } from "../engine/lifecycle.js";

/** Every Redis key the service owns, all under the configured prefix (BullMQ's queues share it). */
export class Keys {
  constructor(readonly prefix: string) {}

  /** Hash: the rollout's spec, status, wave, counters and times. */
  rollout(id: string): string {
    return `${this.prefix}:rollout:${id}`;
  }

  /** Hash: target index → JSON of the target's identity (project, proxy, wave, before-image); written once. */
  targets(id: string): string {
    return `${this.prefix}:rollout:${id}:t`;
  }

  /** Hash: target index → JSON of its last result (attempts, HTTP status, message, reason, time); replaced whole. */
  outcomes(id: string): string {
    return `${this.prefix}:rollout:${id}:o`;
  }

  /** Hash: target index → the job that holds it while it is running (queued or in flight). */
  holders(id: string): string {
    return `${this.prefix}:rollout:${id}:j`;
  }

  /** Sorted set per target status: the indexes of targets in it, scored by index (stable paging). */
  status(id: string, status: TargetStatus): string {
    return `${this.prefix}:rollout:${id}:s:${status}`;
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
      this.active,
      this.events,
      ...TARGET_STATUSES.map((s) => this.status(id, s)),
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

  /**
   * Stream: the outbox. Every rollout transition appends its event here in the same script, and
   * the audit trail, webhooks, metrics, logs and progress streams read it.
   */
  get events(): string {
    return `${this.prefix}:events`;
  }

  /** Marker (with a TTL) that the audit entry of one event was written: re-deliveries add nothing. */
  auditSeen(eventId: string): string {
    return `${this.prefix}:audit:seen:${eventId}`;
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

  /** Hash: a named policy's latest version number and the digest of its content (a PUT of the same content adds no version). */
  policy(name: string): string {
    return `${this.prefix}:policy:${name}`;
  }

  /** Hash: version number → JSON of that version (policy, description, who, when); written once. */
  policyVersions(name: string): string {
    return `${this.prefix}:policy:${name}:versions`;
  }

  /** List in version order: each version's who, when and description, without the policy (for listing). */
  policyLog(name: string): string {
    return `${this.prefix}:policy:${name}:log`;
  }

  /** Set: the schedules whose rollout refers to the policy; a referenced policy cannot be deleted. */
  policyReferrers(name: string): string {
    return `${this.prefix}:policy:${name}:schedules`;
  }

  /** Sorted set (all scores 0) of policy names, paged in name order. */
  get policies(): string {
    return `${this.prefix}:policies`;
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
