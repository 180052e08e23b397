// A proxy's deploy status in one environment (`GET …/environments/{env}/deploy-status/`, the
// published document's `ApiProxyDeployStatusDTO`), and what it says: live, saved but not
// deployed, not deployed at all, or nothing clear.
import type { JsonObject } from "./envelopes.js";

export interface DeployStatus {
  deployed?: boolean;
  redeployRequired?: boolean;
  revision?: number;
  lastDeployTime?: string;
}

/** The status fields of the answer's item, each only when of its documented type. */
export function deployStatusOf(item: JsonObject): DeployStatus {
  const status: DeployStatus = {};
  if (typeof item.deployed === "boolean") status.deployed = item.deployed;
  if (typeof item.redeployRequired === "boolean") status.redeployRequired = item.redeployRequired;
  if (typeof item.revision === "number") status.revision = item.revision;
  if (typeof item.lastDeployTime === "string") status.lastDeployTime = item.lastDeployTime;
  return status;
}

/**
 * - `deployed`: `deployed: true` and `redeployRequired: false`: the saved settings are what runs.
 * - `redeploy_required`: deployed, but saved settings were never deployed.
 * - `not_deployed`: `deployed: false`: the proxy does not run there at all.
 * - `unknown`: the status leaves either field out (or says neither clearly).
 */
export type DeployState = "deployed" | "redeploy_required" | "not_deployed" | "unknown";

export function deployStateOf(status: DeployStatus): DeployState {
  if (status.deployed === false) return "not_deployed";
  if (status.deployed !== true) return "unknown";
  if (status.redeployRequired === false) return "deployed";
  return status.redeployRequired === true ? "redeploy_required" : "unknown";
}

/** One environment where the proxy's saved settings are not what runs (a dry run's deploy drift). */
export interface DeployDrift {
  environment: string;
  state: Exclude<DeployState, "deployed">;
  /** As the manager reported them (null: left out). */
  deployed: boolean | null;
  redeployRequired: boolean | null;
}

export function deployDrift(environment: string, status: DeployStatus): DeployDrift | undefined {
  const state = deployStateOf(status);
  if (state === "deployed") return undefined;
  return {
    environment,
    state,
    deployed: status.deployed ?? null,
    redeployRequired: status.redeployRequired ?? null,
  };
}

const WORDS: Record<DeployDrift["state"], string> = {
  redeploy_required: "saved but not deployed to",
  not_deployed: "not deployed to",
  unknown: "deploy status unknown in",
};

/** `saved but not deployed to production, test; not deployed to staging`. */
export function driftReason(drifts: readonly DeployDrift[]): string {
  return (Object.keys(WORDS) as Array<DeployDrift["state"]>)
    .map((state) => [state, drifts.filter((d) => d.state === state).map((d) => d.environment)] as const)
    .filter(([, environments]) => environments.length > 0)
    .map(([state, environments]) => `${WORDS[state]} ${environments.join(", ")}`)
    .join("; ");
}

/** Why a deployment the manager reported is not confirmed by its status, or undefined when it is. */
export function unconfirmedBy(status: DeployStatus): string | undefined {
  const state = deployStateOf(status);
  const said = `deployed: ${status.deployed ?? "(missing)"}, redeployRequired: ${status.redeployRequired ?? "(missing)"}`;
  if (state === "deployed") return undefined;
  const meaning = state === "redeploy_required" ? " (saved but not deployed)" : "";
  return `the manager reported it deployed, but its deploy status says ${said}${meaning}`;
}
