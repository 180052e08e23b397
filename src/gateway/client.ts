// The Apinizer management API as typed calls: one connection pool per gateway, every call retried
// per the retry policy and reported to the observer per HTTP attempt.

import { projectSummary, proxySummary } from "./bodies.js";
import { type DeployCalls, deployEach, verifyDeployments } from "./deploy-calls.js";
import { deployStatusOf } from "./deploy-status.js";
import { deploymentOutcomes } from "./deployment-result.js";
import { isFailureEnvelope, isSuccessEnvelope, type JsonObject, listItems, singleItem } from "./envelopes.js";
import { deploymentError, envelopeError } from "./errors.js";
import {
  type Attempted,
  type RateLimitedMode,
  type RetryOptions,
  resolveRetryOptions,
  withRetry,
} from "./retry-policy.js";
import { GatewayTransport, type HttpAnswer, type HttpRequest } from "./transport.js";
import type {
  DeploymentOutcome,
  GatewayConfig,
  GatewayObserver,
  GatewayOperation,
  ProjectSummary,
  ProxyDetail,
  ProxySummary,
  UpdateResult,
} from "./types.js";
import { type BaseUrl, parseBaseUrl, paths } from "./urls.js";

export interface CallOptions {
  /** Cancels the call, including any wait between attempts; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `rateLimited` mode for this call. */
  rateLimited?: RateLimitedMode;
  /** Overrides the retry policy's attempts: 1 for a call that is its own retry (a probe). */
  maxAttempts?: number;
}

/** A request as a dry run records it: what would be sent, relative to the manager's origin. */
export interface PlannedRequest {
  method: "PATCH" | "POST";
  path: string;
  body?: JsonObject;
}

/** One settings section's PATCH: where it goes and its body as the manager takes it. */
export interface SettingsChange {
  segment: string;
  operation: GatewayOperation;
  body: JsonObject;
}

export interface DeployRequest {
  environments: string[];
}

export class ApinizerClient {
  readonly #gateway: GatewayConfig;
  readonly #base: BaseUrl;
  readonly #transport: GatewayTransport;
  readonly #observer: GatewayObserver;
  readonly #retry: RetryOptions;
  readonly #deployCalls: DeployCalls;

  constructor(gateway: GatewayConfig, observer: GatewayObserver = {}, retry: Partial<RetryOptions> = {}) {
    this.#gateway = gateway;
    this.#base = parseBaseUrl(gateway.baseUrl);
    this.#observer = observer;
    this.#retry = resolveRetryOptions(retry);
    this.#transport = new GatewayTransport(gateway, this.#base.origin, observer);
    this.#deployCalls = {
      readStatus: gateway.deployStatus === "read",
      deployOnce: (...args) => this.#deployOnce(...args),
      readDeployStatus: (...args) => this.#readDeployStatus(...args),
    };
  }

  /** `GET /apiops/test/healthcheck` (no auth needed): resolves when the manager answers 2xx. */
  async healthcheck(options?: CallOptions): Promise<void> {
    const path = paths.healthcheck(this.#base);
    // It answers text/plain; asking only for JSON could earn a 406.
    await this.#call(
      { operation: "healthcheck", method: "GET", path, accept: "text/plain, application/json" },
      options,
      () => undefined,
    );
  }

  /**
   * `GET /apiops/test/hello/{name}`: answers only a valid token, so a bad one shows before any
   * listing or write (rejects with an `auth` GatewayError).
   */
  async checkToken(options?: CallOptions): Promise<void> {
    const path = paths.hello(this.#base);
    await this.#call(
      { operation: "check_token", method: "GET", path, accept: "text/plain, application/json" },
      options,
      () => undefined,
    );
  }

  /** Projects visible to the token. */
  async listProjects(options?: CallOptions): Promise<ProjectSummary[]> {
    const path = paths.projects(this.#base);
    const { value } = await this.#call(
      { operation: "list_projects", method: "GET", path, timeoutMs: this.#gateway.listTimeoutMs },
      options,
      (answer) => this.#list("list_projects", answer, projectSummary),
    );
    return value;
  }

  /** Every proxy of a project (the manager does not paginate). */
  async listProxies(project: string, options?: CallOptions): Promise<ProxySummary[]> {
    const path = paths.proxies(this.#base, project);
    const { value } = await this.#call(
      { operation: "list_proxies", method: "GET", path, timeoutMs: this.#gateway.listTimeoutMs },
      options,
      (answer) => this.#list("list_proxies", answer, proxySummary),
    );
    return value;
  }

  async getProxy(project: string, name: string, options?: CallOptions): Promise<ProxyDetail> {
    const path = paths.proxy(this.#base, project, name);
    const { value } = await this.#call({ operation: "get_proxy", method: "GET", path }, options, (answer) => {
      const item = this.#single("get_proxy", answer);
      if (typeof item.name !== "string") throw envelopeError("get_proxy", answer.status, answer.body);
      return item as ProxyDetail;
    });
    return value;
  }

  /**
   * `GET .../apiProxies/{name}/full`: undocumented fields (guess: routing incl. mTLS), so read-back is an
   * optional capability; the caller must not rely on a particular shape.
   */
  async getProxyFull(project: string, name: string, options?: CallOptions): Promise<Record<string, unknown>> {
    const path = paths.proxyFull(this.#base, project, name);
    const { value } = await this.#call(
      { operation: "get_proxy_full", method: "GET", path },
      options,
      (answer) => this.#single("get_proxy_full", answer),
    );
    return value;
  }

  /**
   * `PATCH .../settings/<segment>/` with `change.body` (only the fields given), then deploys to
   * `deploy.environments`: in the same PATCH (deployStyle `inline`) or by one deploy call per
   * environment (`endpoint`). Resolves only when the save and every deployment succeeded; otherwise
   * rejects with a GatewayError (a failed deployment is `permanent` and lists every environment's
   * outcome in `deployments`).
   */
  async updateSettings(
    project: string,
    name: string,
    change: SettingsChange,
    deploy?: DeployRequest,
    options?: CallOptions,
  ): Promise<UpdateResult> {
    const environments = deploy?.environments ?? [];
    const { operation } = change;
    const { inline, path, body } = this.#settingsRequest(project, name, change, environments);
    const saved = await this.#call({ operation, method: "PATCH", path, body }, options, (answer) => {
      this.#requireSuccess(operation, answer);
      if (!inline) return { status: answer.status, deployments: [] };
      const deployments = deploymentOutcomes(answer.body, environments, "inline");
      if (deployments.some((deployment) => !deployment.success)) {
        throw deploymentError(operation, answer.status, deployments);
      }
      return { status: answer.status, deployments };
    });
    const httpStatus = saved.value.status;
    if (environments.length === 0) return { attempts: saved.attempts, httpStatus, deployments: [] };
    const so = { attempts: saved.attempts, httpStatus };
    if (inline)
      return verifyDeployments(
        this.#deployCalls,
        project,
        name,
        { ...so, deployments: saved.value.deployments },
        options,
      );
    return deployEach(this.#deployCalls, project, name, environments, so, options);
  }

  /**
   * Deploys the proxy's saved state to each environment by the deploy endpoint, whatever the
   * deployStyle: for a proxy whose settings comply but were saved without being deployed.
   */
  redeploy(
    project: string,
    name: string,
    environments: string[],
    options?: CallOptions,
  ): Promise<UpdateResult> {
    return deployEach(
      this.#deployCalls,
      project,
      name,
      environments,
      { attempts: 0, httpStatus: 0 },
      options,
    );
  }

  /** `GET …/environments/{env}/deploy-status/`: whether the proxy's saved settings run there. */
  async getDeployStatus(project: string, name: string, environment: string, options?: CallOptions) {
    return (await this.#readDeployStatus(project, name, environment, options)).value;
  }

  /** The requests `updateSettings` calls (or `redeploy`, without changes) would send; nothing is sent. */
  plannedUpdates(
    project: string,
    name: string,
    changes: readonly SettingsChange[],
    deploy?: DeployRequest,
  ): PlannedRequest[] {
    const environments = deploy?.environments ?? [];
    const patches = changes.map((change, i) => {
      const last = i === changes.length - 1;
      const { path, body } = this.#settingsRequest(project, name, change, last ? environments : []);
      return { method: "PATCH" as const, path, body };
    });
    // Without a PATCH to ride on (a redeploy), deploying is the endpoint's whatever the style.
    const deploys =
      changes.length === 0 || this.#gateway.deployStyle === "endpoint"
        ? environments.map((environment) => ({
            method: "POST" as const,
            path: paths.deploy(this.#base, project, name, environment),
          }))
        : [];
    return [...patches, ...deploys];
  }

  #settingsRequest(project: string, name: string, change: SettingsChange, environments: string[]) {
    const inline = environments.length > 0 && this.#gateway.deployStyle === "inline";
    const body: JsonObject = { ...change.body };
    if (inline) Object.assign(body, { deploy: true, deployTargetEnvironmentNameList: environments });
    return { inline, path: paths.settings(this.#base, project, name, change.segment), body };
  }

  /** Deploys (or redeploys) the proxy's saved state to one environment. */
  async deploy(
    project: string,
    name: string,
    environment: string,
    options?: CallOptions,
  ): Promise<UpdateResult> {
    const { value, attempts } = await this.#deployOnce(project, name, environment, options);
    if (value.deployments.some((deployment) => !deployment.success)) {
      const error = deploymentError("deploy", value.status, value.deployments);
      error.attempts = attempts;
      throw error;
    }
    return verifyDeployments(
      this.#deployCalls,
      project,
      name,
      { attempts, httpStatus: value.status, deployments: value.deployments },
      options,
    );
  }

  /** Waits for in-flight calls (each bounded by the gateway's timeout), then closes the sockets. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  /** Aborts in-flight calls and closes the sockets now (a shutdown past its deadline). */
  async destroy(): Promise<void> {
    await this.#transport.destroy();
  }

  /** One deploy call; a deployment failure under HTTP 200 is returned as outcomes, not thrown. */
  #deployOnce(
    project: string,
    name: string,
    environment: string,
    options?: CallOptions,
  ): Promise<Attempted<{ status: number; deployments: DeploymentOutcome[] }>> {
    const path = paths.deploy(this.#base, project, name, environment);
    return this.#call({ operation: "deploy", method: "POST", path }, options, (answer) => {
      this.#requireSuccess("deploy", answer);
      return {
        status: answer.status,
        deployments: deploymentOutcomes(answer.body, [environment], "endpoint"),
      };
    });
  }

  #readDeployStatus(project: string, name: string, environment: string, options?: CallOptions) {
    const path = paths.deployStatus(this.#base, project, name, environment);
    return this.#call({ operation: "deploy_status", method: "GET", path }, options, (answer) =>
      deployStatusOf(this.#single("deploy_status", answer)),
    );
  }

  #requireSuccess(operation: GatewayOperation, answer: HttpAnswer): void {
    if (!isSuccessEnvelope(answer.body)) throw envelopeError(operation, answer.status, answer.body);
  }

  #list<T>(operation: GatewayOperation, answer: HttpAnswer, read: (item: unknown) => T | undefined): T[] {
    const items = isFailureEnvelope(answer.body) ? undefined : listItems(answer.body);
    if (!items) throw envelopeError(operation, answer.status, answer.body);
    return items.map((item) => {
      const value = read(item);
      // A nameless entry means we misread this manager: better to fail than to skip proxies silently.
      if (value === undefined)
        throw envelopeError(operation, answer.status, answer.body, "list entry without a name");
      return value;
    });
  }

  #single(operation: GatewayOperation, answer: HttpAnswer): JsonObject {
    const item = isFailureEnvelope(answer.body) ? undefined : singleItem(answer.body);
    if (!item) throw envelopeError(operation, answer.status, answer.body);
    return item;
  }

  #call<T>(
    request: HttpRequest,
    options: CallOptions = {},
    interpret: (answer: HttpAnswer) => T,
  ): Promise<Attempted<T>> {
    const retry = {
      ...this.#retry,
      ...(options.rateLimited ? { rateLimited: options.rateLimited } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    };
    return withRetry(
      async () => {
        const answer = await this.#transport.send(request, options.signal);
        return interpret(answer);
      },
      retry,
      {
        signal: options.signal,
        onRetry: (error) =>
          this.#observer.onRetry?.({
            gateway: this.#gateway.name,
            operation: request.operation,
            reason: error.code,
          }),
      },
    );
  }
}
