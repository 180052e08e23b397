import type { TargetStatus } from "../engine/lifecycle.js";
import type { TargetRecord } from "../engine/target-record.js";
import type { DeployDrift } from "../gateway/deploy-status.js";
import type { FieldChange } from "../policy/compliance.js";
import { lintPolicy } from "../policy/lint.js";
import type { RolloutState } from "../store/rollout-fields.js";
import { NO_PHASES, type Phases } from "./phase-view.js";
import type { Deployment } from "./target-deployments.js";

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The rollout as the API shows it (contract §3.2). */
export function rolloutView(
  id: string,
  state: RolloutState,
  counts: Record<TargetStatus, number> & { total: number },
  readBack: boolean,
  phases: Phases = NO_PHASES,
) {
  const { spec } = state;
  return {
    id,
    status: state.status,
    dryRun: spec.dryRun,
    gateway: spec.gateway,
    policy: spec.policy,
    /** The named policy version the policy was resolved from; null when it was given inline. */
    policyRef: spec.policyRef ?? null,
    /** The policy's lint findings (a strict body refused them at creation). */
    warnings: lintPolicy(spec.policy),
    /** Whether targets' current settings are read (skip compliant, verify, field-level plan). */
    readBack,
    targets: spec.targets,
    strategy: spec.strategy ?? {},
    deploy: spec.deploy ?? null,
    description: spec.description ?? null,
    /** The rollout this one undoes, for a revert. */
    revertOf: spec.revertOf ?? null,
    /** A deploy phase: the after-save rollout it deploys, and the environment. */
    phaseOf: spec.phaseOf ?? null,
    environment: spec.environment ?? null,
    /** An after-save rollout: its deploy phases, and why the next environment is not deployed. */
    phases: phases.phases,
    phasesReason: phases.reason,
    createdBy: state.createdBy,
    createdAt: state.createdAt,
    startedAt: iso(state.startedAt),
    finishedAt: iso(state.finishedAt),
    counts,
    wave: { current: state.wave, total: state.waveBounds.length },
    pausedReason: state.pausedReason ?? null,
    failureReason: state.failureReason ?? null,
    cancelReason: state.cancelReason ?? null,
    /** Targets that finished after the rollout was paused or cancelled (in-flight overshoot). */
    ranAfterPause: state.ranAfterPause,
    links: {
      self: `/v1/rollouts/${id}`,
      targets: `/v1/rollouts/${id}/targets`,
      events: `/v1/rollouts/${id}/events`,
    },
  };
}

export type RolloutView = ReturnType<typeof rolloutView>;

/** One target as the API shows it (contract §3.3). */
/** What a dry run recorded of a target, decoded once for the view and its planned requests. */
export interface RecordedPlan {
  changes?: FieldChange[];
  deployDrift?: DeployDrift[];
}

export function targetView(
  index: number,
  t: TargetRecord,
  dryRunRequests?: (t: TargetRecord, recorded: RecordedPlan) => unknown,
  deployments?: Deployment[],
) {
  const recorded: RecordedPlan = {};
  if (t.d !== undefined) recorded.changes = JSON.parse(t.d) as FieldChange[];
  if (t.y !== undefined) recorded.deployDrift = JSON.parse(t.y) as DeployDrift[];
  return {
    index,
    project: t.p,
    proxy: t.n,
    status: t.s,
    wave: t.w,
    attempts: t.a ?? 0,
    // A failed target's error; also kept on a target handed back to pending (a gateway 401).
    error: t.m === undefined ? null : { httpStatus: t.h ?? null, message: t.m },
    reason: t.r ?? null,
    updatedAt: iso(t.u),
    ...(t.s === "planned" && dryRunRequests ? { requests: dryRunRequests(t, recorded) } : {}),
    // A dry run with read-back: each field that would change, current → wanted.
    ...(recorded.changes === undefined ? {} : { changes: recorded.changes }),
    // Deploy-status read-back: each environment where the saved settings are not what runs.
    ...(recorded.deployDrift === undefined ? {} : { deployDrift: recorded.deployDrift }),
    // An after-save rollout: the target's deployment in each environment, from the phases.
    ...(deployments === undefined ? {} : { deployments }),
  };
}
