// Deploying to several environments and confirming each deployment by its deploy status, over the
// client's single calls (each already retried per the retry policy).
import type { CallOptions } from "./client.js";
import { type DeployStatus, unconfirmedBy } from "./deploy-status.js";
import { deploymentError, GatewayError } from "./errors.js";
import type { Attempted } from "./retry-policy.js";
import type { DeploymentOutcome, UpdateResult } from "./types.js";

export interface DeployCalls {
  /** The gateway reads each deployment back (`deployStatus: "read"`). */
  readStatus: boolean;
  /** One deploy call; a deployment failure under HTTP 200 is returned as outcomes, not thrown. */
  deployOnce(
    project: string,
    name: string,
    environment: string,
    options?: CallOptions,
  ): Promise<Attempted<{ status: number; deployments: DeploymentOutcome[] }>>;
  readDeployStatus(
    project: string,
    name: string,
    environment: string,
    options?: CallOptions,
  ): Promise<Attempted<DeployStatus>>;
}

/**
 * One deploy call per environment, counting on from `so` (the save before it). One environment
 * refusing (e.g. 400 unknown environment) does not stop the others; any failure rejects with every
 * environment's outcome.
 */
export async function deployEach(
  calls: DeployCalls,
  project: string,
  name: string,
  environments: readonly string[],
  so: { attempts: number; httpStatus: number },
  options?: CallOptions,
): Promise<UpdateResult> {
  let { attempts, httpStatus } = so;
  const deployments: DeploymentOutcome[] = [];
  for (const environment of environments) {
    try {
      const deployed = await calls.deployOnce(project, name, environment, options);
      attempts += deployed.attempts;
      httpStatus ||= deployed.value.status;
      deployments.push(...deployed.value.deployments);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      error.attempts += attempts;
      if (error.kind !== "permanent") throw error;
      attempts = error.attempts;
      httpStatus ||= error.httpStatus ?? 0;
      deployments.push({ environmentName: environment, success: false, message: error.gatewayMessage });
    }
  }
  if (deployments.some((deployment) => !deployment.success)) {
    const error = deploymentError("deploy", httpStatus, deployments);
    error.attempts = attempts;
    throw error;
  }
  return verifyDeployments(calls, project, name, { attempts, httpStatus, deployments }, options);
}

/**
 * With `deployStatus: "read"`, every deployment the manager reported is read back
 * (`GET …/environments/{env}/deploy-status/`): one whose status is not `deployed: true,
 * redeployRequired: false` fails the update, naming the environment and what the status said.
 */
export async function verifyDeployments(
  calls: DeployCalls,
  project: string,
  name: string,
  result: UpdateResult,
  options?: CallOptions,
): Promise<UpdateResult> {
  if (!calls.readStatus) return result;
  let { attempts } = result;
  const deployments: DeploymentOutcome[] = [];
  for (const outcome of result.deployments) {
    const { environmentName } = outcome;
    try {
      const read = await calls.readDeployStatus(project, name, environmentName, options);
      attempts += read.attempts;
      const why = unconfirmedBy(read.value);
      deployments.push(why === undefined ? outcome : { environmentName, success: false, message: why });
    } catch (error) {
      if (error instanceof GatewayError) error.attempts += attempts;
      throw error;
    }
  }
  if (deployments.some((deployment) => !deployment.success)) {
    const error = deploymentError("deploy_status", result.httpStatus, deployments);
    error.attempts = attempts;
    throw error;
  }
  return { ...result, attempts, deployments };
}
