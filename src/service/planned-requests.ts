import type { TargetRecord } from "../engine/target-record.js";
import type { ApinizerClient, PlannedRequest } from "../gateway/client.js";
import type { DeployDrift } from "../gateway/deploy-status.js";
import type { GatewayConfig } from "../gateway/types.js";
import { type FieldChange, settingsChange } from "../policy/compliance.js";
import { appliesTo, type Policy, sectionsOf } from "../policy/registry.js";

/**
 * The requests a dry run's planned target would have received: with read-back, only the sections
 * that differ (the target's recorded changes), else every section of the policy; for a compliant
 * proxy saved but not deployed (deploy-status read-back), the deploys alone.
 */
export function plannedRequests(
  client: ApinizerClient,
  gateway: GatewayConfig,
  rollout: { policy: Policy; deploy: { environments: string[] } | null },
  target: TargetRecord,
): PlannedRequest[] {
  const differing =
    target.d === undefined
      ? undefined
      : new Set((JSON.parse(target.d) as FieldChange[]).map((c) => c.section));
  // Compliant as saved but not deployed somewhere: only the deploys would be sent.
  if (differing?.size === 0 && target.y !== undefined) {
    const environments = (JSON.parse(target.y) as DeployDrift[]).map((d) => d.environment);
    return client.plannedUpdates(target.p, target.n, [], { environments });
  }
  const changes = sectionsOf(rollout.policy)
    .filter(({ section }) => (differing ? differing.has(section.key) : appliesTo(section, target.k)))
    .map(({ section, settings }) => settingsChange(section, settings, gateway.dialect));
  return client.plannedUpdates(target.p, target.n, changes, rollout.deploy ?? undefined);
}
