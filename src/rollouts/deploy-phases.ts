import type { RolloutSpec } from "./schema.js";

// An after-save rollout (`deploy.mode: "after-save"`) is a save phase, the rollout itself, then
// one deploy phase per environment in order: each a rollout of its own, created when the one
// before it ended succeeded (every target succeeded or skipped).

/** A spec, or a rollout's view (where a missing `phaseOf` is null). */
type DeployOf = Pick<RolloutSpec, "deploy"> & { phaseOf?: string | null | undefined };

/** The rollout saves everywhere first; its environments are deployed by phases after it. */
export const deploysAfterSave = (spec: DeployOf): boolean =>
  spec.deploy?.mode === "after-save" && !spec.phaseOf;

/** The deployment each target's save carries: none when the environments are deployed after every save. */
export function deployWithSave(spec: DeployOf): { environments: string[] } | undefined {
  if (spec.deploy == null || deploysAfterSave(spec)) return undefined;
  return { environments: spec.deploy.environments };
}

/** The field of the root's hash that names its phase for one environment (written once). */
export const phaseField = (environment: string) => `phase:${environment}`;

/** The phases a root's hash names, by environment. */
export function phaseLinks(fields: Record<string, string>): Record<string, string> {
  const prefix = phaseField("");
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([field]) => field.startsWith(prefix))
      .map(([field, id]) => [field.slice(prefix.length), id]),
  );
}

/**
 * The environment to deploy after `spec` ended succeeded: the root's first, or the one after a
 * phase's; undefined when nothing follows (not after-save, a dry run, the last environment).
 */
export function nextEnvironment(spec: RolloutSpec, root: RolloutSpec): string | undefined {
  if (root.dryRun || !deploysAfterSave(root)) return undefined;
  const environments = root.deploy?.environments ?? [];
  return spec.environment === undefined
    ? environments[0]
    : environments[environments.indexOf(spec.environment) + 1];
}

/** A deploy phase: the root's gateway, targets and strategy; its targets only deploy to `environment`. */
export function phaseSpec(rootId: string, root: RolloutSpec, environment: string): RolloutSpec {
  return {
    gateway: root.gateway,
    policy: root.policy,
    ...(root.policyRef === undefined ? {} : { policyRef: root.policyRef }),
    targets: root.targets,
    deploy: { environments: [environment] },
    ...(root.strategy === undefined ? {} : { strategy: root.strategy }),
    dryRun: false,
    description: `deploy of ${rootId} to ${environment}`,
    phaseOf: rootId,
    environment,
  };
}
