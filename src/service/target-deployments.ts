import type { TargetStatus } from "../engine/lifecycle.js";
import type { TargetRecord } from "../engine/target-record.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { PhaseSummary } from "./phase-view.js";

/** A target of an after-save rollout in one environment, from that environment's phase. */
export interface Deployment {
  environment: string;
  status: "deployed" | "failed" | "skipped" | "cancelled" | "in_progress" | "not_started";
  /** The manager's message (failed), or why the target was skipped or cancelled. */
  message: string | null;
}

/** Deployments of the targets at these indexes, in each target's environment order. */
export type DeploymentsAt = (indexes: readonly number[]) => Promise<Map<number, Deployment[]>>;

const DEPLOYMENT_OF: Record<TargetStatus, Deployment["status"]> = {
  pending: "in_progress",
  running: "in_progress",
  planned: "in_progress",
  succeeded: "deployed",
  failed: "failed",
  skipped: "skipped",
  cancelled: "cancelled",
};

/**
 * Reads an after-save rollout's targets' deployments from its phases: a phase holds the root's
 * targets at the same indexes. Undefined for any other rollout (its deployments ride on its saves).
 */
export function deploymentsReader(
  store: RolloutStore,
  rollout: { phases: readonly PhaseSummary[] },
): DeploymentsAt | undefined {
  if (rollout.phases.length === 0) return undefined;
  return async (indexes) => {
    const byPhase = await Promise.all(
      rollout.phases.map(
        async ({ rolloutId }) =>
          new Map<number, TargetRecord>(rolloutId === null ? [] : await store.targetsAt(rolloutId, indexes)),
      ),
    );
    return new Map(
      indexes.map((index) => [
        index,
        rollout.phases.map(({ environment }, i): Deployment => {
          const t = byPhase[i]?.get(index);
          if (t === undefined) return { environment, status: "not_started", message: null };
          return { environment, status: DEPLOYMENT_OF[t.s], message: t.m ?? t.r ?? null };
        }),
      ]),
    );
  };
}

/** Deployments in one cell of a report: `test: deployed; prod: failed (message)`. */
export const deploymentsText = (deployments: readonly Deployment[]): string =>
  deployments
    .map((d) => `${d.environment}: ${d.status}${d.message === null ? "" : ` (${d.message})`}`)
    .join("; ");
