import type { Logger } from "pino";
import type { RolloutEngine } from "../engine/engine.js";
import { GATEWAY_AUTH_PAUSE } from "../engine/lifecycle.js";
import type { TargetOutcome } from "../engine/target-record.js";
import type { ApinizerClient } from "../gateway/client.js";
import { GatewayError } from "../gateway/errors.js";
import type { GatewayConfig } from "../gateway/types.js";
import type { Policy } from "../policy/registry.js";
import { deployWithSave } from "../rollouts/deploy-phases.js";
import type { RolloutSpec } from "../rollouts/schema.js";
import { errorBudget, waveBounds } from "../rollouts/sizes.js";
import { type PlannedTarget, type ProjectListing, selectTargets } from "../rollouts/target-selection.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Dispatcher } from "./dispatcher.js";

/** Projects listed at once: enough to hide latency, few enough not to hammer the manager. */
const LISTING_CONCURRENCY = 4;

export interface PlannerDeps {
  engine: RolloutEngine;
  store: RolloutStore;
  dispatcher: Dispatcher;
  clients: ReadonlyMap<string, ApinizerClient>;
  gateways: ReadonlyMap<string, GatewayConfig>;
  log: Logger;
  /** How long a plan keeps trying through transient gateway errors before the rollout fails. */
  planningWindowMs: number;
}

/** A listing the manager refused; planning fails with its message instead of retrying. */
class PlanningRefused extends Error {}

async function listFleet(client: ApinizerClient, spec: RolloutSpec): Promise<ProjectListing[]> {
  const projects =
    spec.targets.projects[0] === "*"
      ? (await client.listProjects()).map((p) => p.name)
      : spec.targets.projects;
  const listings: ProjectListing[] = [];
  for (let start = 0; start < projects.length; start += LISTING_CONCURRENCY) {
    const batch = projects.slice(start, start + LISTING_CONCURRENCY);
    listings.push(
      ...(await Promise.all(
        batch.map(async (project) => {
          try {
            // A name with a lone surrogate cannot be put in a URL; selection fails it as a target.
            if (!project.isWellFormed()) return { project, proxies: [] };
            return { project, proxies: await client.listProxies(project) };
          } catch (error) {
            if (error instanceof GatewayError && error.kind === "permanent") {
              throw new PlanningRefused(
                `cannot list the proxies of project ${project}: ${error.gatewayMessage}`,
              );
            }
            throw error;
          }
        }),
      )),
    );
  }
  return listings;
}

/** A revert's targets: the reverted rollout's succeeded targets, each with its before-image. */
async function revertTargets(store: RolloutStore, originalId: string): Promise<PlannedTarget[]> {
  const targets: PlannedTarget[] = [];
  for (let from = 0; ; ) {
    const indexes = await store.indexesIn(originalId, "succeeded", from, Number.MAX_SAFE_INTEGER, 1000);
    if (indexes.length === 0) break;
    for (const [, t] of await store.targetsAt(originalId, indexes, "succeeded")) {
      targets.push(
        t.b === undefined
          ? { project: t.p, proxy: t.n, status: "skipped", reason: "no before-image was recorded" }
          : { project: t.p, proxy: t.n, status: "pending", before: JSON.parse(t.b) as Policy },
      );
    }
    from = (indexes.at(-1) ?? 0) + 1;
  }
  return targets;
}

/**
 * A deploy phase's targets: its root's, at the same indexes (so a root target's deployments are
 * read at its own index): those the save phase saved, or found compliant, deploy; the rest are
 * skipped.
 */
async function phaseTargets(store: RolloutStore, rootId: string): Promise<PlannedTarget[]> {
  const total = (await store.get(rootId))?.counts.total ?? 0;
  const targets: PlannedTarget[] = [];
  for (let from = 0; from < total; from += 1000) {
    const indexes = Array.from({ length: Math.min(1000, total - from) }, (_, i) => from + i);
    for (const [, t] of await store.targetsAt(rootId, indexes)) {
      const saved = t.s === "succeeded" || (t.s === "skipped" && t.r?.startsWith("compliant") === true);
      targets.push(
        saved
          ? { project: t.p, proxy: t.n, status: "pending" }
          : { project: t.p, proxy: t.n, status: "skipped", reason: `not saved: ${t.r ?? t.m ?? t.s}` },
      );
    }
  }
  return targets;
}

/**
 * The plan job: discover the targets, store them in order with their waves, and start the first
 * wave. Safe to run again after a crash: it starts from a clean slate while the rollout is still
 * `planning`, and only re-offers the released jobs once it is running.
 */
export async function planRollout(rolloutId: string, lastAttempt: boolean, deps: PlannerDeps): Promise<void> {
  const stored = await deps.store.get(rolloutId);
  if (stored === undefined) return;
  const state = parseRolloutFields(stored.fields);
  if (state.status !== "planning") {
    await deps.dispatcher.offer(rolloutId);
    return;
  }
  const { spec } = state;
  const fail = async (reason: string) => {
    await deps.engine.failPlanning(rolloutId, reason);
  };

  const client = deps.clients.get(spec.gateway);
  const gateway = deps.gateways.get(spec.gateway);
  if (client === undefined || gateway === undefined) return fail(`gateway ${spec.gateway} is not configured`);

  const pause = async (why: string) => {
    deps.log.warn(
      { rolloutId, gateway: spec.gateway, why },
      "planning paused: the gateway refused the token",
    );
    await deps.engine.pausePlanning(rolloutId, GATEWAY_AUTH_PAUSE);
  };

  let targets: PlannedTarget[];
  if (spec.phaseOf !== undefined) {
    targets = await phaseTargets(deps.store, spec.phaseOf);
  } else if (spec.revertOf !== undefined) {
    targets = await revertTargets(deps.store, spec.revertOf);
  } else {
    let listings: ProjectListing[];
    try {
      // One cheap authenticated call first: a bad token pauses the rollout before any fan-out.
      await client.checkToken();
      listings = await listFleet(client, spec);
    } catch (error) {
      // The token can also be revoked between the check and a listing.
      if (error instanceof GatewayError && error.kind === "auth") return pause(error.gatewayMessage);
      if (error instanceof PlanningRefused) return fail(error.message);
      if (lastAttempt) return fail(`cannot list the gateway's proxies: ${(error as Error).message}`);
      throw error;
    }
    // With read-back (settings, or the deploy status of the environments to deploy to), even a dry
    // run reads each proxy (in the workers) to tell what would change.
    const readsStatus = gateway.deployStatus === "read" && deployWithSave(spec) !== undefined;
    const readsFirst = spec.dryRun && (gateway.readBack === "full" || readsStatus);
    targets = await selectTargets({ ...spec, dryRun: spec.dryRun && !readsFirst }, listings);
  }
  const actionable = targets.filter((t) => t.status === "pending" || t.status === "planned").length;
  // A body may lower the configured ceiling, never raise it (intake refuses that; stored bodies too).
  const asked = spec.strategy?.maxTargets ?? Number.POSITIVE_INFINITY;
  const maxTargets = Math.min(asked, gateway.maxTargets);
  if (actionable > maxTargets) {
    const limit = maxTargets === asked ? `maxTargets ${maxTargets}` : `ENFORCER_MAX_TARGETS ${maxTargets}`;
    return fail(`the targets resolve to ${actionable} proxies, more than ${limit}; nothing was sent`);
  }

  // Waves are cut over the actionable targets (stored first); the last wave also holds the rest.
  const bounds = waveBounds(spec.strategy?.waves, actionable);
  bounds[bounds.length - 1] = targets.length;
  const waveOf = (index: number) => bounds.findIndex((bound) => index < bound) + 1;
  await deps.engine.writeTargets(
    rolloutId,
    targets.map((t, index) => {
      const outcome: TargetOutcome = {};
      if (t.reason !== undefined) outcome.r = t.reason;
      if (t.error !== undefined) {
        outcome.m = t.error.message;
        if (t.error.httpStatus !== undefined) outcome.h = t.error.httpStatus;
      }
      return {
        identity: {
          p: t.project,
          n: t.proxy,
          w: waveOf(index),
          ...(t.before === undefined ? {} : { v: JSON.stringify(t.before) }),
          ...(t.type === undefined ? {} : { k: t.type }),
        },
        status: t.status,
        ...(Object.keys(outcome).length > 0 ? { outcome } : {}),
      };
    }),
  );

  const started = await deps.engine.start(
    rolloutId,
    bounds,
    errorBudget(spec.strategy?.maxErrors, targets.length),
  );
  deps.log.info({ rolloutId, targets: targets.length, actionable, waves: bounds.length }, "rollout planned");
  if (started.kind === "cancelled") await deps.engine.sweep(rolloutId);
  else if (started.kind === "started") {
    if (started.waveDone) await deps.dispatcher.advance(rolloutId, 1);
    else await deps.dispatcher.offer(rolloutId);
  }
}
