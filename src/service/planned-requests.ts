import type { TargetRecord } from "../engine/target-record.js";
import type { ApinizerClient, PlannedRequest } from "../gateway/client.js";
import type { GatewayConfig } from "../gateway/types.js";
import { settingsChange } from "../policy/compliance.js";
import { appliesTo, sectionsOf } from "../policy/registry.js";
import { deployWithSave } from "../rollouts/deploy-phases.js";
import type { RolloutSpec } from "../rollouts/schema.js";
import type { RecordedPlan } from "./rollout-view.js";

/**
 * The requests a dry run's planned target would have received: with read-back, only the sections
 * that differ (the target's recorded changes), else every section of the policy; for a compliant
 * proxy saved but not deployed (deploy-status read-back), the deploys alone.
 */
export function plannedRequests(
  client: ApinizerClient,
  gateway: GatewayConfig,
  rollout: Pick<RolloutSpec, "policy" | "deploy">,
  target: TargetRecord,
  recorded: RecordedPlan,
): PlannedRequest[] {
  const differing = recorded.changes && new Set(recorded.changes.map((c) => c.section));
  // Compliant as saved but not deployed somewhere: only the deploys would be sent.
  if (differing?.size === 0 && recorded.deployDrift !== undefined) {
    const environments = recorded.deployDrift.map((d) => d.environment);
    return client.plannedUpdates(target.p, target.n, [], { environments });
  }
  const changes = sectionsOf(rollout.policy)
    .filter(({ section }) => (differing ? differing.has(section.key) : appliesTo(section, target.k)))
    .map(({ section, settings }) => settingsChange(section, settings, gateway.dialect));
  // An after-save rollout's dry run plans its saves; its deploys come in phases after them.
  return client.plannedUpdates(target.p, target.n, changes, deployWithSave(rollout));
}
