import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ProxySummary } from "../gateway/types.js";
import { type Policy, sectionsNotFor, sectionsOf } from "../policy/registry.js";
import { globSet } from "./glob.js";
import type { RolloutSpec } from "./schema.js";

export type PlannedStatus = "pending" | "skipped" | "failed" | "planned";

export interface PlannedTarget {
  project: string;
  proxy: string;
  status: PlannedStatus;
  reason?: string;
  error?: { httpStatus?: number; message: string };
  /** A revert's target: the settings to write back, per section. */
  before?: Policy;
  /** The proxy's type, when some section of the policy does not apply to it. */
  type?: string;
}

export interface ProjectListing {
  project: string;
  proxies: readonly ProxySummary[];
}

const byName = (a: { project: string; proxy: string }, b: { project: string; proxy: string }) =>
  a.project < b.project ? -1 : a.project > b.project ? 1 : a.proxy < b.proxy ? -1 : a.proxy > b.proxy ? 1 : 0;

/** Longest stretch of matching between two yields: a 100k-proxy listing must not hold the event loop. */
const YIELD_EVERY_MS = 10;

/**
 * A lone surrogate (a name not well-formed UTF-16) cannot be percent-encoded into a URL, and
 * Redis's cjson refuses it; such a name is stored well-formed (U+FFFD) as a failed target.
 */
const notAddressable = (what: string, project: string, proxy: string): PlannedTarget => ({
  project: project.toWellFormed(),
  proxy: proxy.toWellFormed(),
  status: "failed",
  error: {
    message: `${what} name is not well-formed Unicode (lone surrogate); it cannot be addressed in a URL`,
  },
});

/**
 * Turns the gateway's listings into the rollout's ordered targets. Actionable targets come
 * first in (project, name) order, so waves are cut over work that will really be sent; skipped
 * and unresolvable ones follow, in the same order. A (project, proxy) pair listed twice is one
 * target. Yields to the event loop now and then, so other requests are answered meanwhile.
 */
export async function selectTargets(
  spec: Pick<RolloutSpec, "targets" | "dryRun" | "policy">,
  listings: readonly ProjectListing[],
): Promise<PlannedTarget[]> {
  const { proxies: named, include, exclude } = spec.targets;
  const wanted = named === undefined ? undefined : new Set(named);
  const included = include === undefined ? undefined : globSet(include);
  const excluded = exclude === undefined ? undefined : globSet(exclude);
  const sections = sectionsOf(spec.policy).length;
  const found = new Set<string>();
  const seen = new Map<string, Set<string>>();
  const actionable: PlannedTarget[] = [];
  const other: PlannedTarget[] = [];
  let lastYield = performance.now();

  for (const { project, proxies } of listings) {
    const firstListing = !seen.has(project);
    const inProject = seen.get(project) ?? new Set<string>();
    seen.set(project, inProject);
    if (!project.isWellFormed()) {
      // Its proxies were never listed (see the planner): one failed target stands for them all.
      if (firstListing) other.push(notAddressable("project", project, "*"));
      continue;
    }
    for (const proxy of proxies) {
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (inProject.has(proxy.name)) continue;
      inProject.add(proxy.name);
      if (wanted !== undefined && !wanted.has(proxy.name)) continue;
      found.add(proxy.name);
      // Globs see a broken name well-formed, so only a selected one becomes a failed target.
      const wellFormed = proxy.name.isWellFormed();
      const name = wellFormed ? proxy.name : proxy.name.toWellFormed();
      if (included !== undefined && !included(name)) continue;
      if (excluded?.(name)) continue;
      // Sections a proxy's type refuses are not sent to it; with none left, it is skipped.
      const notFor = sectionsNotFor(spec.policy, proxy.type);
      if (!wellFormed) {
        other.push(notAddressable("proxy", project, proxy.name));
      } else if (notFor.length === sections) {
        other.push({
          project,
          proxy: proxy.name,
          status: "skipped",
          reason: `proxy type ${proxy.type} does not support ${notFor.map((s) => s.label).join(", ")} settings`,
        });
      } else {
        actionable.push({
          project,
          proxy: proxy.name,
          status: spec.dryRun ? "planned" : "pending",
          ...(notFor.length > 0 ? { type: proxy.type } : {}),
        });
      }
    }
  }

  // A named proxy that no listed project holds is a failure the operator must see, not a silent drop.
  const onlyProject = listings.length === 1 ? listings[0]?.project : undefined;
  for (const name of wanted ?? []) {
    if (found.has(name)) continue;
    other.push({
      project: onlyProject ?? spec.targets.projects.join(","),
      proxy: name,
      status: "failed",
      error: { message: `ApiProxy (name: ${name}) was not found in the listed projects` },
    });
  }
  return [...actionable.sort(byName), ...other.sort(byName)];
}
