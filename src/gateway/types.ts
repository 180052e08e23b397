// The shapes the rest of the service sees of an Apinizer manager, whatever its documentation generation.

/** The mTLS settings body of `PATCH .../settings/mtls/`; only the fields given are sent. */
export interface MtlsSettings {
  enabled?: boolean;
  keyStoreId?: string;
  trustStoreId?: string;
  keyStoreName?: string;
  trustStoreName?: string;
  supportedProtocolList?: Array<"TLS_1_3" | "TLS_1_2" | "TLS_1_1" | "TLS_1_0" | "SSL_3_0">;
  hostnameVerifierType?: "NOOP" | "DEFAULT" | "STRICT" | "BROWSER_COMPAT";
  disableSslValidation?: boolean;
}

export type DeployStyle = "inline" | "endpoint";

/** How a gateway's manager spells settings bodies: its documentation generation. */
export interface Dialect {
  /** mTLS stores as `keyStoreId`/`trustStoreId` (seed, newer docs) or `keyStoreName`/`trustStoreName` (published OpenAPI). */
  storeFields: "id" | "name";
  /** Newer managers wrap some sections' fields in an object (e.g. `corsSettings`). */
  wrapSections: boolean;
}

/** The adaptive (AIMD) request rate of a gateway; its ceiling is `rateLimitPerSecond`. */
export interface AdaptiveRateSettings {
  /** Requests per second the rate is never cut below. */
  floor: number;
  /** Each cut multiplies the rate in use by this (0.1..0.95). */
  cut: number;
  /** Requests per second added per second of successful calls. */
  step: number;
  /** Recent latency above this multiple of the baseline is a cut signal; 0 = off. */
  latencyFactor: number;
}

/** One configured gateway (a manager URL and its token). Built once from config; never serialized. */
export interface GatewayConfig {
  name: string;
  baseUrl: string;
  /** Personal API Access Token: held in memory only. */
  token: string;
  rateLimitPerSecond: number;
  /** Set: the rate (and concurrency) adapt to the manager's answers below those configured; unset: fixed. */
  adaptive?: AdaptiveRateSettings | undefined;
  /** In-flight calls to this gateway across all worker processes; undefined = no extra cap. */
  concurrency?: number;
  timeoutMs: number;
  /** Timeout of a listing: one answer holds a whole project (100k proxies is a large body). */
  listTimeoutMs?: number;
  /** `endpoint` (default): `POST …/environments/{env}/` after the PATCH; `inline`: deploy fields in the PATCH. */
  deployStyle: DeployStyle;
  /**
   * `read`: each deployment is verified with `GET …/environments/{env}/deploy-status/`, and a dry
   * run reports environments whose saved settings are not deployed. `none` (default): trust the answer.
   */
  deployStatus?: "none" | "read";
  dialect: Dialect;
  /**
   * `full`: read each proxy (`GET .../full`) before and after the PATCH: skip compliant proxies,
   * keep a before-image for revert, verify the result. `none`: trust the PATCH's answer.
   */
  readBack?: "none" | "full";
  /**
   * Targets one job carries (default 1). Above 1, each proxy still has its own call, result and
   * retries, and the gateway's rate and concurrency are held per proxy by a limiter in Redis.
   */
  targetsPerJob?: number;
  /** Outage breaker: HTTP attempts failing in a row (5xx, timeout, no connection) that pause the gateway's rollouts. */
  outageFailures: number;
  /** ...or failures for this long without an answer in between. */
  outageWindowMs: number;
  /** Resume what an outage paused once the manager answers again. */
  autoResume: boolean;
  /** Sockets this process keeps open to the manager. */
  connections: number;
  /** Most targets one rollout on this gateway may resolve to (ENFORCER_MAX_TARGETS). */
  maxTargets: number;
}

export interface ProjectSummary {
  name: string;
  description?: string;
}

export interface ProxySummary {
  name: string;
  type?: string;
  description?: string;
  relativePath?: string;
}

export interface ProxyDetail extends ProxySummary {
  deploymentList?: Array<{ environmentName: string; deployed?: boolean; redeployRequired?: boolean }>;
  [key: string]: unknown;
}

export interface DeploymentOutcome {
  environmentName: string;
  success: boolean;
  message?: string;
}

export interface UpdateResult {
  /** HTTP attempts this call made (1 when it succeeded at once). */
  attempts: number;
  httpStatus: number;
  deployments: DeploymentOutcome[];
}

export type GatewayOperation =
  | "list_projects"
  | "list_proxies"
  | "get_proxy"
  | "get_proxy_full"
  /** `update_<section>`: update_mtls, update_cors, update_circuit_breaker, ... */
  | `update_${string}`
  | "deploy"
  | "deploy_status"
  | "healthcheck"
  | "check_token";

/** Hooks the client calls so metrics stay out of the gateway module. */
export interface GatewayObserver {
  onRequest?(event: {
    gateway: string;
    operation: GatewayOperation;
    code: string;
    durationSeconds: number;
  }): void;
  onRetry?(event: { gateway: string; operation: GatewayOperation; reason: string }): void;
}
