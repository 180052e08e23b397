import type { RolloutEngine } from "../engine/engine.js";
import type { Dispatcher } from "../queue/dispatcher.js";
import { nextEnvironment, phaseField, phaseSpec } from "../rollouts/deploy-phases.js";
import { newRolloutId, partitionOf } from "../store/keys.js";
import { newRolloutFields, parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";

export interface PhaseChainDeps {
  engine: RolloutEngine;
  store: RolloutStore;
  dispatcher: Pick<Dispatcher, "plan">;
  onCreated?: () => void;
}

/** What a succeeded rollout handed on: the phase it created, the one an earlier run created, or nothing. */
export type NextPhase =
  | { kind: "created" | "exists"; rolloutId: string; environment: string }
  | { kind: "none" };

/**
 * After a rollout ended `succeeded`: the next deploy phase of its after-save root (the first
 * environment after the save phase, the next after a phase). The phase is linked from the root
 * in the step that creates it (field `phase:<environment>`, written once), so a repeated event
 * creates nothing new; a lost plan job is offered again by the reconciler.
 */
export async function startNextPhase(deps: PhaseChainDeps, rolloutId: string): Promise<NextPhase> {
  const stored = await deps.store.get(rolloutId);
  if (stored === undefined) return { kind: "none" };
  const state = parseRolloutFields(stored.fields);
  if (state.status !== "succeeded") return { kind: "none" };
  const rootId = state.spec.phaseOf ?? rolloutId;
  // A root that is gone (deleted) reads as an empty spec: nothing follows.
  const root =
    rootId === rolloutId ? state : parseRolloutFields((await deps.store.get(rootId))?.fields ?? {});
  const environment = nextEnvironment(state.spec, root.spec);
  if (environment === undefined) return { kind: "none" };

  const now = Date.now();
  // In the root's partition: the create step links the phase from the root in one slot.
  const id = newRolloutId(now, partitionOf(rootId));
  const created = await deps.engine.create(
    id,
    newRolloutFields(phaseSpec(rootId, root.spec, environment), root.createdBy, new Date(now)),
    { actor: "system", action: "phase" },
    undefined,
    { rolloutId: rootId, field: phaseField(environment) },
  );
  if (created.kind === "follows_missing") return { kind: "none" };
  if (created.kind === "exists") return { kind: "exists", rolloutId: created.existing, environment };
  await deps.dispatcher.plan(id);
  deps.onCreated?.();
  return { kind: "created", rolloutId: id, environment };
}
