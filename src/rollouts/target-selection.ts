import picomatch from "picomatch";
import type { MtlsSettings, ProxySummary } from "../gateway/types.js";
import type { RolloutSpec } from "./schema.js";

export type PlannedStatus = "pending" | "skipped" | "failed" | "planned";

export interface PlannedTarget {
  project: string;
  proxy: string;
  status: PlannedStatus;
  reason?: string;
  error?: { httpStatus?: number; message: string };
  /** A revert's target: the settings to write back. */
  before?: MtlsSettings;
}

export interface ProjectListing {
  project: string;
  proxies: readonly ProxySummary[];
}

/** Proxy types the mTLS settings endpoint refuses (newer managers' AI-type proxies). */
const MTLS_UNSUPPORTED_TYPES = new Set(["AI", "MCP", "A2A"]);

const byName = (a: { project: string; proxy: string }, b: { project: string; proxy: string }) =>
  a.project < b.project ? -1 : a.project > b.project ? 1 : a.proxy < b.proxy ? -1 : a.proxy > b.proxy ? 1 : 0;

function globMatcher(globs: readonly string[] | undefined): ((name: string) => boolean) | undefined {
  if (globs === undefined) return undefined;
  // Proxy names are not paths: `*` must cross `/`, and dots are ordinary characters.
  const matchers = globs.map((g) => picomatch(g, { dot: true, bash: true, nonegate: true }));
  return (name) => matchers.some((m) => m(name));
}

/**
 * Turns the gateway's listings into the rollout's ordered targets. Actionable targets come
 * first in (project, name) order, so waves are cut over work that will really be sent; skipped
 * and unresolvable ones follow, in the same order.
 */
export function selectTargets(
  spec: Pick<RolloutSpec, "targets" | "dryRun">,
  listings: readonly ProjectListing[],
): PlannedTarget[] {
  const { proxies: named, include, exclude } = spec.targets;
  const wanted = named === undefined ? undefined : new Set(named);
  const included = globMatcher(include);
  const excluded = globMatcher(exclude);
  const found = new Set<string>();
  const actionable: PlannedTarget[] = [];
  const other: PlannedTarget[] = [];

  for (const { project, proxies } of listings) {
    for (const proxy of proxies) {
      if (wanted !== undefined && !wanted.has(proxy.name)) continue;
      found.add(proxy.name);
      if (included !== undefined && !included(proxy.name)) continue;
      if (excluded?.(proxy.name)) continue;
      const type = proxy.type?.toUpperCase();
      if (type !== undefined && MTLS_UNSUPPORTED_TYPES.has(type)) {
        other.push({
          project,
          proxy: proxy.name,
          status: "skipped",
          reason: `proxy type ${proxy.type} does not support mTLS settings`,
        });
      } else {
        actionable.push({ project, proxy: proxy.name, status: spec.dryRun ? "planned" : "pending" });
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
