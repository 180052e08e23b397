import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log.js";
import type { WebhookEvent } from "../config/webhooks-file.js";
import type { AuditEvent, RolloutEvent, StatusEvent } from "../engine/events.js";
import { isTerminalRollout } from "../engine/lifecycle.js";
import type { GatewayConfig } from "../gateway/types.js";
import type { Metrics } from "../metrics/registry.js";
import { type PhaseChainDeps, startNextPhase } from "../service/phase-chain.js";
import { readPhases } from "../service/phase-view.js";
import { rolloutView } from "../service/rollout-view.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Notifier } from "../webhooks/notifier.js";

const WEBHOOK_OF: Record<string, WebhookEvent> = {
  paused: "rollout.paused",
  failed: "rollout.failed",
  succeeded: "rollout.succeeded",
  cancelled: "rollout.cancelled",
};

export interface ProjectionDeps {
  audit: AuditLog;
  webhooks: Notifier;
  store: RolloutStore;
  metrics: Metrics;
  log: Logger;
  gateways: ReadonlyMap<string, GatewayConfig>;
  /** Creates an after-save rollout's next deploy phase when the one before it succeeded. */
  phases: PhaseChainDeps;
}

/** The time an outbox event was written: its stream id starts with the epoch ms. */
const occurredAt = (event: RolloutEvent) => new Date(Number(event.id.split("-")[0]));

/**
 * What follows from each outbox event: the log line, the counters, the audit entry (a change
 * with an action is a caller's request; one without is the rollout moving by itself, recorded
 * as `system`), when a rollout pauses or ends, a webhook with a snapshot of it and, when it
 * succeeded, the next deploy phase of an after-save rollout. Audit and webhooks are keyed by the
 * event id and a phase by its root and environment, so an event handled twice produces them once.
 */
export function eventProjections(deps: ProjectionDeps) {
  const { metrics, log } = deps;

  const statusChanged = async (e: StatusEvent) => {
    log.info(
      {
        rolloutId: e.rolloutId,
        status: e.status,
        previous: e.previous,
        action: e.action,
        actor: e.actor,
        detail: e.detail,
      },
      "rollout status changed",
    );
    if (isTerminalRollout(e.status) && e.status !== e.previous)
      metrics.rolloutsFinished.inc({ status: e.status });
    await deps.audit.recordOnce(deps.store.keys.auditSeen(e.id), {
      actor: e.actor ?? "system",
      action: e.action === undefined ? "rollout.status" : `rollout.${e.action}`,
      rolloutId: e.rolloutId,
      status: e.status,
      detail: e.detail,
    });
    if (e.status === "succeeded" && e.previous !== "succeeded") {
      const next = await startNextPhase(deps.phases, e.rolloutId);
      if (next.kind === "created") {
        const { rolloutId: phase, environment } = next;
        log.info({ rolloutId: e.rolloutId, phase, environment }, "deploy phase created");
      }
    }
    const webhook = WEBHOOK_OF[e.status];
    if (webhook === undefined || e.status === e.previous || !deps.webhooks.wants(webhook)) return;
    const stored = await deps.store.get(e.rolloutId);
    if (stored === undefined) return;
    // The snapshot is read now; the status is the one this event is about.
    const state = parseRolloutFields(stored.fields);
    const readBack = deps.gateways.get(state.spec.gateway)?.readBack === "full";
    const rollout = {
      ...rolloutView(
        e.rolloutId,
        state,
        stored.counts,
        readBack,
        await readPhases(deps.store, state, stored.counts),
      ),
      status: e.status,
    };
    await deps.webhooks.notify(webhook, { rollout }, { id: e.id, occurredAt: occurredAt(e) });
  };

  /** Audit events of calls on sweeps and named policies; the webhooks some of them announce. */
  const called = async (e: AuditEvent) => {
    await deps.audit.recordOnce(deps.store.keys.auditSeen(e.id), {
      actor: e.actor,
      action: e.action,
      schedule: e.schedule,
      policy: e.policy,
      version: e.version,
      ...(e.rolloutId === "" ? {} : { rolloutId: e.rolloutId }),
      detail: e.detail,
    });
    const source = { id: e.id, occurredAt: occurredAt(e) };
    if (e.action === "schedule.skipped") {
      await deps.webhooks.notify(
        "schedule.skipped",
        { schedule: e.schedule, reason: e.detail ?? "" },
        source,
      );
    } else if (e.action === "policy.put" || e.action === "policy.deleted") {
      const payload = { policy: e.policy, version: e.version, actor: e.actor };
      await deps.webhooks.notify(e.action, payload, source);
    }
  };

  return async (events: readonly RolloutEvent[]): Promise<void> => {
    for (const e of events) {
      if (e.kind === "status") {
        await statusChanged(e);
        continue;
      }
      if (e.kind === "audit") {
        await called(e);
        continue;
      }
      for (const [outcome, n] of Object.entries(e.counts)) metrics.targetsProcessed.inc({ outcome }, n);
      const { g: gateway, ...reasons } = e.retries ?? {};
      for (const [reason, n] of Object.entries(reasons))
        metrics.gatewayRetries.inc({ gateway: String(gateway), reason }, Number(n));
    }
  };
}
