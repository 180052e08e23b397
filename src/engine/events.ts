import { TARGET_STATUSES, type TargetStatus } from "./lifecycle.js";

/** A rollout's status changed; `action` and `actor` are set when a caller asked for it. */
export interface StatusEvent {
  kind: "status";
  /**
   * The stream entry id and its stream (`<ms>-<seq>-p<n>`, `-g`): unique across the outbox
   * streams, ordered by time, the idempotency key of every consumer.
   */
  id: string;
  rolloutId: string;
  status: string;
  previous: string;
  action: string | undefined;
  actor: string | undefined;
  detail: string | undefined;
}

/** Targets reached terminal statuses in one step; retries counted by the jobs of that step. */
export interface OutcomesEvent {
  kind: "outcomes";
  id: string;
  rolloutId: string;
  counts: Partial<Record<TargetStatus, number>>;
  /** `{g: gateway, <reason>: n}` */
  retries: Record<string, string | number> | undefined;
}

/**
 * A call on a compliance sweep (schedule.put, .delete, .run, .skipped) or a named policy
 * (policy.put, .deleted), written with its change.
 */
export interface AuditEvent {
  kind: "audit";
  id: string;
  /** The rollout a `schedule.run` created, else "". */
  rolloutId: string;
  actor: string;
  action: string;
  schedule: string | undefined;
  policy: string | undefined;
  /** The policy version written, or the latest one deleted. */
  version: number | undefined;
  detail: string | undefined;
}

export type RolloutEvent = StatusEvent | OutcomesEvent | AuditEvent;

const optional = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);

/** Decodes one outbox stream entry; unknown kinds (a newer writer) are skipped. */
export function parseEvent(id: string, flat: readonly string[]): RolloutEvent | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i] ?? "", flat[i + 1] ?? "");
  const rolloutId = f.get("r") ?? "";
  switch (f.get("k")) {
    case "status":
      return {
        kind: "status",
        id,
        rolloutId,
        status: f.get("s") ?? "",
        previous: f.get("p") ?? "",
        action: optional(f.get("a")),
        actor: optional(f.get("by")),
        detail: optional(f.get("d")),
      };
    case "outcomes": {
      const counts: OutcomesEvent["counts"] = {};
      for (const status of TARGET_STATUSES) {
        const n = f.get(status);
        if (n !== undefined) counts[status] = Number(n);
      }
      const retries = f.get("retries");
      return {
        kind: "outcomes",
        id,
        rolloutId,
        counts,
        retries: retries ? (JSON.parse(retries) as Record<string, string | number>) : undefined,
      };
    }
    case "audit":
      return {
        kind: "audit",
        id,
        rolloutId,
        actor: f.get("by") ?? "",
        action: f.get("a") ?? "",
        schedule: optional(f.get("sc")),
        policy: optional(f.get("po")),
        version: f.has("v") ? Number(f.get("v")) : undefined,
        detail: optional(f.get("d")),
      };
    default:
      return undefined;
  }
}
