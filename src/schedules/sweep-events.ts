import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log.js";
import type { Notify } from "../webhooks/notifier.js";

/** What sweeps tell the rest of the service: the audit trail, and webhooks of skipped firings. */
export interface SweepEvents {
  /** A caller's call on a sweep, recorded as `schedule.<action>`. */
  called(
    actor: string,
    action: "put" | "delete" | "run",
    name: string,
    extra?: { rolloutId?: string; detail?: string },
  ): Promise<void>;
  /** A firing that created no rollout (`schedule.skipped`). */
  skipped(name: string, reason: string): Promise<void>;
}

/**
 * Recorded after the change is made and never failing it, like rollout changes: a lost entry is
 * logged, and the caller still gets the answer its change deserves.
 */
export function sweepEvents(deps: {
  audit: Pick<AuditLog, "record">;
  notify: Notify;
  log: Logger;
}): SweepEvents {
  const safely = async (what: string, name: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      deps.log.error({ err, schedule: name }, `sweep ${what} failed`);
    }
  };
  return {
    called: (actor, action, name, extra = {}) =>
      safely("audit entry", name, () =>
        deps.audit.record({ actor, action: `schedule.${action}`, schedule: name, ...extra }),
      ),
    skipped: async (name, reason) => {
      await Promise.all([
        safely("audit entry", name, () =>
          deps.audit.record({
            actor: `schedule:${name}`,
            action: "schedule.skipped",
            schedule: name,
            detail: reason,
          }),
        ),
        safely("webhook", name, () => deps.notify("schedule.skipped", { schedule: name, reason })),
      ]);
    },
  };
}
