import { isTerminalRollout, type RolloutStatus, type TargetStatus } from "../engine/lifecycle.js";
import { deploysAfterSave } from "../rollouts/deploy-phases.js";
import { parseRolloutFields, type RolloutState } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";

/** One environment of an after-save rollout: its deploy phase, once created. */
export interface PhaseSummary {
  environment: string;
  rolloutId: string | null;
  status: RolloutStatus | "not_started";
}

/** An after-save rollout's phases, and why the next environment is not being deployed (if so). */
export interface Phases {
  phases: PhaseSummary[];
  reason: string | null;
}

export const NO_PHASES: Phases = { phases: [], reason: null };

/** A rollout as far as the one after it cares: how it ended, and why. */
interface Step {
  label: string;
  state: RolloutState;
  failed: number;
}

/** Why `environment` is not deployed (yet) after `before`; null while it may still come. */
function stoppedBy(environment: string, before: Step): string | null {
  const { status, pausedReason, failureReason, cancelReason } = before.state;
  if (status === "paused") return `${environment} waits: ${before.label} is paused (${pausedReason ?? ""})`;
  if (!isTerminalRollout(status) || status === "succeeded") return null;
  const why = failureReason ?? cancelReason ?? `${before.failed} target(s) failed`;
  return `${environment} not deployed: ${before.label} ended ${status} (${why})`;
}

/** The phases of a rollout (none unless it deploys after saving), each with its status. */
export async function readPhases(
  store: RolloutStore,
  state: RolloutState,
  counts: Record<TargetStatus, number>,
): Promise<Phases> {
  if (!deploysAfterSave(state.spec)) return NO_PHASES;
  const environments = state.spec.deploy?.environments ?? [];
  if (state.spec.dryRun) {
    return {
      phases: environments.map((environment) => ({ environment, rolloutId: null, status: "not_started" })),
      reason: `a dry run: once every target is saved, ${environments.join(", then ")} would be deployed`,
    };
  }
  const ids = environments.flatMap((environment) => state.phases[environment] ?? []);
  const found = new Map(
    (await store.getMany(ids)).flatMap((stored) => (stored === undefined ? [] : [[stored.id, stored]])),
  );
  const phases: PhaseSummary[] = [];
  let before: Step = { label: "the save phase", state, failed: counts.failed };
  let reason: string | null = null;
  for (const environment of environments) {
    const id = state.phases[environment];
    const stored = id === undefined ? undefined : found.get(id);
    if (id === undefined || stored === undefined) {
      phases.push({ environment, rolloutId: id ?? null, status: "not_started" });
      reason ??= stoppedBy(environment, before);
      continue;
    }
    const phase = parseRolloutFields(stored.fields);
    phases.push({ environment, rolloutId: id, status: phase.status });
    before = { label: `the ${environment} phase (${id})`, state: phase, failed: stored.counts.failed };
  }
  return { phases, reason };
}
