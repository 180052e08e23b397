import type { TargetRecord } from "../engine/target-record.js";
import type { ApinizerClient, PlannedRequest } from "../gateway/client.js";
import type { GatewayConfig } from "../gateway/types.js";
import { type FieldChange, settingsChange } from "../policy/compliance.js";
import { appliesTo, type Policy, sectionsOf } from "../policy/registry.js";

/**
 * The requests a dry run's planned target would have received: with read-back, only the sections
 * that differ (the target's recorded changes), else every section of the policy.
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
  const changes = sectionsOf(rollout.policy)
    .filter(({ section }) => (differing ? differing.has(section.key) : appliesTo(section, target.k)))
    .map(({ section, settings }) => settingsChange(section, settings, gateway.dialect));
  return client.plannedUpdates(target.p, target.n, changes, rollout.deploy ?? undefined);
}
