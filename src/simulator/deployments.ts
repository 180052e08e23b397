// What saving and deploying do to a proxy's per-environment deployment state.
import type { ProjectEntry, ProxyEntry } from "./fleet.js";

export interface DeploymentResult {
  success: boolean;
  deploymentResults: Array<{ environmentName: string; success: boolean; message: string }>;
}

/** A saved change reaches clients only after a redeploy: every deployed environment now needs one. */
export function markSaved(proxy: ProxyEntry): void {
  for (const deployment of proxy.deployments.values()) {
    if (deployment.deployed) deployment.redeployRequired = true;
  }
}

/** Deploys to each environment in turn; failures are reported per environment, never thrown. */
export function deploy(project: ProjectEntry, proxy: ProxyEntry, environments: string[]): DeploymentResult {
  const deploymentResults = environments.map((environmentName) => {
    const deployment = proxy.deployments.get(environmentName);
    if (!deployment) {
      return {
        environmentName,
        success: false,
        message: `Environment (name: ${environmentName}) was not found in project ${project.name}!`,
      };
    }
    const failure = proxy.deployFailures.get(environmentName);
    if (failure !== undefined) return { environmentName, success: false, message: failure };
    deployment.deployed = true;
    deployment.redeployRequired = false;
    deployment.revision++;
    deployment.lastDeployTime = new Date().toISOString();
    proxy.deploys.push(environmentName);
    return { environmentName, success: true, message: "API Proxy deployed successfully" };
  });
  return { success: deploymentResults.every((result) => result.success), deploymentResults };
}

/** `GET …/environments/{env}/deploy-status/`'s item (`ApiProxyDeployStatusDTO`), or undefined for an unknown environment. */
export function deployStatus(proxy: ProxyEntry, environment: string) {
  const deployment = proxy.deployments.get(environment);
  if (!deployment) return undefined;
  const { deployed, redeployRequired, revision, lastDeployTime } = deployment;
  return { deployed, redeployRequired, revision, ...(lastDeployTime ? { lastDeployTime } : {}) };
}
