import type { ApinizerClient, CallOptions, DeployRequest } from "../gateway/client.js";
import { type DeployDrift, deployDrift, driftReason } from "../gateway/deploy-status.js";
import { GatewayError } from "../gateway/errors.js";
import { readSettings } from "../gateway/settings-readback.js";
import type { GatewayConfig } from "../gateway/types.js";
import { beforeImage, changesFor, type FieldChange, settingsChange } from "../policy/compliance.js";
import { appliesTo, type Policy, sectionByKey, sectionsNotFor, sectionsOf } from "../policy/registry.js";
import type { SectionDefinition, Settings } from "../policy/section.js";
import { deployWithSave } from "../rollouts/deploy-phases.js";
import type { RolloutSpec } from "../rollouts/schema.js";

/** How one target ended, ready to record. */
export interface StepOutcome {
  status: "succeeded" | "planned" | "skipped" | "failed";
  attempts: number;
  httpStatus?: number;
  message?: string;
  reason?: string;
  /** The proxy's settings before this rollout, per section (JSON), for a later revert. */
  before?: string;
  /** A dry run with read-back: the fields that would change (JSON of FieldChange[]). */
  changes?: string;
  /** Deploy-status read-back: environments whose saved settings are not deployed (JSON of DeployDrift[]). */
  drift?: string;
}

export interface ClaimedTarget {
  project: string;
  proxy: string;
  /** The proxy's type when some section of the policy does not apply to it. */
  type?: string;
  /** For a revert: the before-image to write back (JSON). */
  before: string;
}

type SectionWrite = { section: SectionDefinition; settings: Settings };

/** A revert's before-image, per section. Images recorded before sections existed are mTLS fields. */
function beforeSections(before: string): Policy {
  const image = JSON.parse(before || "{}") as Policy;
  const legacy = Object.keys(image).some((key) => sectionByKey(key) === undefined);
  return legacy ? { mtls: image as Settings } : image;
}

const describe = (changes: FieldChange[]) => changes.map((c) => `${c.section}.${c.field}`).join(", ");

/**
 * The gateway side of one target: each section of the policy that applies to the proxy is
 * PATCHed in the registry's order, the deployment rides on the last one (unless the rollout
 * deploys after saving everywhere; a deploy phase's target only deploys). With read-back, sections
 * the proxy already satisfies are not sent (all of them: the target is skipped as compliant), the
 * before-image is kept and the result verified, all judged by each field's constraint; a revert
 * writes its before-image only where the proxy still satisfies what the reverted rollout asked
 * (compare-and-set). Gateway errors propagate for the caller to classify.
 */
export async function applyPolicy(
  client: ApinizerClient,
  gateway: GatewayConfig,
  spec: RolloutSpec,
  target: ClaimedTarget,
  options: CallOptions,
): Promise<StepOutcome> {
  const { project, proxy } = target;
  // A deploy phase of an after-save rollout: its targets were saved by the save phase.
  if (spec.environment !== undefined) {
    const sent = await client.redeploy(project, proxy, [spec.environment], options);
    return { status: "succeeded", attempts: sent.attempts, httpStatus: sent.httpStatus };
  }
  const revert = spec.revertOf !== undefined;
  const writes: SectionWrite[] = revert
    ? sectionsOf(beforeSections(target.before))
    : sectionsOf(spec.policy).filter(({ section }) => appliesTo(section, target.type));
  const notSent = revert ? [] : sectionsNotFor(spec.policy, target.type);
  const note =
    notSent.length === 0
      ? {}
      : {
          reason: `proxy type ${target.type} does not support ${notSent.map((s) => s.label).join(", ")} settings (not sent)`,
        };
  const named = sectionsOf(spec.policy).length > 1;
  const deploy = deployWithSave(spec);
  const send = (sections: SectionWrite[]) =>
    sendSections(client, gateway, project, proxy, sections, deploy, named, options);

  // With deploy-status read-back, a dry run also finds environments whose saved settings never went live.
  const environments = gateway.deployStatus === "read" ? (deploy?.environments ?? []) : [];
  const drifted = () => readDrift(client, project, proxy, environments, options);

  if (gateway.readBack !== "full") {
    if (spec.dryRun) return { status: "planned", attempts: 0, ...withDrift(note, await drifted()) };
    const sent = await send(writes);
    return { status: "succeeded", ...sent, ...note };
  }

  const keys = writes.map(({ section }) => section.key);
  const current = await readSettings(client, project, proxy, keys, options);
  const held = (section: SectionDefinition) => current.get(section.key) ?? {};
  if (revert) {
    const since = writes.flatMap(({ section }) =>
      changesFor(section, held(section), spec.policy[section.key] ?? {}),
    );
    if (since.length > 0) {
      return {
        status: "skipped",
        attempts: 0,
        reason: `conflict: changed since the rollout (${describe(since)})`,
      };
    }
  }
  const differing = writes
    .map((write) => ({ ...write, changes: changesFor(write.section, held(write.section), write.settings) }))
    .filter((write) => write.changes.length > 0);
  if (differing.length === 0) {
    const drift = await drifted();
    if (drift.length === 0) return { status: "skipped", attempts: 0, reason: "compliant" };
    // Compliant as saved, but not live: the whole change is a (re)deploy.
    if (spec.dryRun) return { status: "planned", attempts: 0, changes: "[]", ...withDrift({}, drift) };
    const sent = await client.redeploy(
      project,
      proxy,
      drift.map((d) => d.environment),
      options,
    );
    const { reason, ...recorded } = withDrift({}, drift);
    return {
      status: "succeeded",
      attempts: sent.attempts,
      httpStatus: sent.httpStatus,
      reason: `compliant, redeployed: ${reason}`,
      ...recorded,
    };
  }
  const before = JSON.stringify(
    Object.fromEntries(
      differing.map(({ section, settings }) => [section.key, beforeImage(section, held(section), settings)]),
    ),
  );
  if (spec.dryRun) {
    const changes = JSON.stringify(differing.flatMap((write) => write.changes));
    return { status: "planned", attempts: 0, before, changes, ...withDrift(note, await drifted()) };
  }

  const sent = await send(differing);
  const after = await readSettings(client, project, proxy, keys, options);
  const still = differing.flatMap(({ section, settings }) =>
    changesFor(section, after.get(section.key) ?? {}, settings),
  );
  if (still.length > 0) {
    return {
      status: "failed",
      ...sent,
      message: `verification: after the update the manager reports other values for ${describe(still)}`,
      before,
    };
  }
  return { status: "succeeded", ...sent, before, ...note };
}

/** Environments (of those asked for) where the proxy's saved settings are not what runs. */
async function readDrift(
  client: ApinizerClient,
  project: string,
  proxy: string,
  environments: readonly string[],
  options: CallOptions,
): Promise<DeployDrift[]> {
  const drift: DeployDrift[] = [];
  for (const environment of environments) {
    const found = deployDrift(
      environment,
      await client.getDeployStatus(project, proxy, environment, options),
    );
    if (found) drift.push(found);
  }
  return drift;
}

/** The outcome's reason and drift record, when there is drift (after any other reason). */
function withDrift(note: { reason?: string }, drift: DeployDrift[]): { reason?: string; drift?: string } {
  if (drift.length === 0) return note;
  const reason = [note.reason, driftReason(drift)].filter(Boolean).join("; ");
  return { reason, drift: JSON.stringify(drift) };
}

/** PATCHes the sections in order, the deployment with the last; a failure names its section. */
async function sendSections(
  client: ApinizerClient,
  gateway: GatewayConfig,
  project: string,
  proxy: string,
  sections: SectionWrite[],
  deploy: DeployRequest | undefined,
  nameSection: boolean,
  options: CallOptions,
): Promise<{ attempts: number; httpStatus: number }> {
  let attempts = 0;
  let httpStatus = 0;
  for (const [i, { section, settings }] of sections.entries()) {
    const change = settingsChange(section, settings, gateway.dialect);
    try {
      const result = await client.updateSettings(
        project,
        proxy,
        change,
        i === sections.length - 1 ? deploy : undefined,
        options,
      );
      attempts += result.attempts;
      httpStatus = result.httpStatus;
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      error.attempts += attempts;
      // A deployment failure is about the proxy, not the section its deploy rode on.
      if (nameSection && error.deployments === undefined) error.section = section.label;
      throw error;
    }
  }
  return { attempts, httpStatus };
}
