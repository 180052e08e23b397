import type { ChangeListener } from "../events/change-feed.js";
import type { AuditLog } from "./audit-log.js";

/**
 * Records every rollout change: a change with an `action` is a caller's request (who asked for
 * what); one without is the rollout moving by itself, recorded as `system`.
 */
export function auditChanges(audit: AuditLog): ChangeListener {
  return async (change) => {
    await audit.record({
      actor: change.actor ?? "system",
      action: change.action === undefined ? "rollout.status" : `rollout.${change.action}`,
      rolloutId: change.rolloutId,
      status: change.status,
      detail: change.detail,
    });
  };
}
