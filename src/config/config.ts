import { z } from "zod";
import type { GatewayConfig } from "../gateway/types.js";
import { adaptiveEnv, adaptiveOf } from "./adaptive-rate.js";
import { deployStatusSchema, deployStyleSchema } from "./gateway-deploy.js";
import { dialectOf, generationSchema, storeFieldsSchema } from "./gateway-dialect.js";
import { listTimeout, loadGatewaysFile, positiveInt } from "./gateways-file.js";
import { type RedisConfig, redisConfigOf, redisEnv } from "./redis-config.js";
import { ConfigError, readSecret, readSecretFile } from "./secrets.js";
import { loadWebhooksFile, type WebhookConfig } from "./webhooks-file.js";

export type Role = "viewer" | "operator" | "admin";
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

export interface Caller {
  name: string;
  role: Role;
  secret: string;
}

export interface Config {
  host: string;
  port: number;
  /** One node, Sentinel or Cluster, with its credentials (never logged). */
  redis: RedisConfig;
  queuePrefix: string;
  gateways: ReadonlyMap<string, GatewayConfig>;
  callers: readonly Caller[];
  authDisabled: boolean;
  metricsToken: string | undefined;
  /** Worker processes serve /metrics, /healthz and /readyz here when set (0 = any free port). */
  workerMetricsPort: number | undefined;
  workerConcurrency: number;
  logLevel: string;
  /** Largest accepted JSON body (express/body-parser syntax, e.g. "16mb"). */
  bodyLimit: string;
  /** Lock of an active target job: a killed worker's jobs come back after about this long. */
  lockDurationMs: number;
  /** A rollout that has not moved for this long is checked for lost jobs. */
  reconcileAfterMs: number;
  shutdownTimeoutMs: number;
  /** Finished rollouts older than this are deleted (0 = kept forever). */
  retentionDays: number;
  /** Approximate number of audit entries kept (older ones are trimmed). */
  auditMaxLen: number;
  /** Approximate length of the outbox stream of rollout events. */
  eventsMaxLen: number;
  /** Events taken by a process and not acknowledged for this long go to another process. */
  eventClaimIdleMs: number;
  /** Targets of one rollout queued or in flight at once. */
  dispatchWindow: number;
  webhooks: readonly WebhookConfig[];
  /** Connect, headers and body timeout of one webhook delivery. */
  webhookTimeoutMs: number;
  /** First retry delay of a failed delivery; doubles with each attempt. */
  webhookBackoffMs: number;
  /** Event streams (`GET /v1/rollouts/{id}/events`) one caller may hold open at once. */
  maxStreamsPerCaller: number;
  /** Compliance sweeps that may exist at once. */
  maxSchedules: number;
  /** Sweeps may not fire more often than this unless their body says `allowFrequent`. */
  scheduleMinIntervalSeconds: number;
  /** Named policies that may exist at once. */
  maxPolicies: number;
  /** Versions one named policy may have; every version is kept. */
  maxPolicyVersions: number;
  /** A policy with lint warnings is refused, as if every body said `strict`. */
  policyStrict: boolean;
  /** How long planning keeps trying through a gateway's transient errors before the rollout fails. */
  planningRetrySeconds: number;
}

const envSchema = z.object({
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  ENFORCER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ...redisEnv,
  ENFORCER_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}.-]+$/, "letters, digits, _ . - and {} (hash tag) only")
    .default("enforcer"),
  APINIZER_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  APINIZER_GENERATION: generationSchema,
  APINIZER_STORE_FIELDS: storeFieldsSchema,
  APINIZER_DEPLOY_STYLE: deployStyleSchema,
  APINIZER_DEPLOY_STATUS: deployStatusSchema,
  ENFORCER_POLICY_STRICT: z
    .enum(["true", "false"])
    .default("false")
    .describe("true: a policy with lint warnings is refused (400), as if every body said strict"),
  ENFORCER_OUTAGE_FAILURES: positiveInt
    .default(10)
    .describe(
      "Gateway calls failing in a row (5xx, timeout, no connection) that pause the gateway's rollouts; at most ENFORCER_WORKER_CONCURRENCY trips before any target is retried",
    ),
  ENFORCER_OUTAGE_WINDOW_SECONDS: positiveInt
    .default(60)
    .describe("...or this long of failures without an answer in between"),
  ENFORCER_OUTAGE_AUTO_RESUME: z
    .enum(["true", "false"])
    .default("false")
    .describe("true: rollouts an outage paused resume by themselves once the manager answers a probe again"),
  ENFORCER_PLANNING_RETRY_SECONDS: positiveInt
    .default(300)
    .describe(
      "How long planning retries a gateway's transient errors (listing outage) before the rollout fails",
    ),
  ENFORCER_GATEWAYS_FILE: z.string().min(1).optional(),
  ENFORCER_AUTH: z.enum(["required", "disabled"]).default("required"),
  ENFORCER_WORKER_CONCURRENCY: positiveInt.max(1024).default(16),
  ENFORCER_RATE_LIMIT_PER_SECOND: positiveInt.default(50),
  ...adaptiveEnv,
  ENFORCER_GATEWAY_TIMEOUT_MS: positiveInt.default(15_000),
  ENFORCER_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, "a size such as 16mb")
    .default("16mb"),
  ENFORCER_LOCK_DURATION_MS: positiveInt.min(1000).default(15_000),
  ENFORCER_RECONCILE_AFTER_MS: positiveInt.min(1000).default(60_000),
  ENFORCER_SHUTDOWN_TIMEOUT_MS: positiveInt.default(20_000),
  ENFORCER_ROLLOUT_RETENTION_DAYS: z.coerce.number().int().min(0).default(90),
  ENFORCER_AUDIT_MAXLEN: positiveInt.min(100).default(100_000),
  ENFORCER_EVENTS_MAXLEN: positiveInt
    .min(1000)
    .default(100_000)
    .describe("Approximate length of the outbox stream of rollout events (audit, webhooks, metrics read it)"),
  ENFORCER_EVENT_CLAIM_IDLE_MS: positiveInt
    .min(100)
    .default(30_000)
    .describe("An event a process took but did not finish for this long is handled by another process"),
  ENFORCER_DISPATCH_WINDOW: positiveInt
    .min(1)
    .max(2000)
    .default(500)
    .describe("At most this many targets of one rollout are queued or in flight at once"),
  ENFORCER_WEBHOOKS_FILE: z.string().min(1).optional(),
  ENFORCER_WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  ENFORCER_WEBHOOK_BACKOFF_MS: positiveInt.default(2_000),
  ENFORCER_MAX_STREAMS_PER_CALLER: positiveInt
    .max(10_000)
    .default(10)
    .describe(
      "Event streams (GET /v1/rollouts/{id}/events) one caller may hold open at once; more get a 429",
    ),
  ENFORCER_MAX_SCHEDULES: positiveInt
    .max(100_000)
    .default(1000)
    .describe("Compliance sweeps that may exist at once; creating one more is a 409 (replacing one is not)"),
  ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(60)
    .describe(
      "Shortest time between two firings of a compliance sweep, over its next firings; a sweep firing more often is a 400 unless its body says allowFrequent: true",
    ),
  ENFORCER_MAX_POLICIES: positiveInt
    .max(100_000)
    .default(1000)
    .describe(
      "Named policies that may exist at once; storing one more is a 409 (a new version of one is not)",
    ),
  ENFORCER_MAX_POLICY_VERSIONS: positiveInt
    .max(100_000)
    .default(1000)
    .describe(
      "Versions one named policy may have (every version is kept, to list and diff); one more is a 409: delete the policy and create it again",
    ),
  ENFORCER_MAX_TARGETS: positiveInt
    .default(100_000)
    .describe(
      "Most targets one rollout may resolve to, on every gateway; a body's strategy.maxTargets may lower it, not raise it",
    ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

function parseCallers(raw: string | undefined, variable: string): Caller[] {
  if (raw === undefined) return [];
  return raw
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry, index) => {
      const [role, name, ...rest] = entry.split(":");
      const secret = rest.join(":");
      if (!ROLES.includes(role as Role) || !name || secret.length < 8) {
        throw new ConfigError(
          variable,
          `entry ${index + 1} must be role:name:secret with role viewer|operator|admin and a secret of 8+ characters`,
        );
      }
      return { role: role as Role, name, secret };
    });
}

/** Parses the whole configuration once at start-up; throws ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (common in compose files and .env templates) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? "environment"), issue?.message ?? "invalid");
  }
  const e = parsed.data;
  const defaults = {
    rateLimitPerSecond: e.ENFORCER_RATE_LIMIT_PER_SECOND,
    timeoutMs: e.ENFORCER_GATEWAY_TIMEOUT_MS,
    connections: e.ENFORCER_WORKER_CONCURRENCY,
    maxTargets: e.ENFORCER_MAX_TARGETS,
    outageFailures: e.ENFORCER_OUTAGE_FAILURES,
    outageWindowMs: e.ENFORCER_OUTAGE_WINDOW_SECONDS * 1000,
    autoResume: e.ENFORCER_OUTAGE_AUTO_RESUME === "true",
  };

  const gateways = new Map<string, GatewayConfig>();
  if (e.APINIZER_BASE_URL !== undefined) {
    const token = readSecret(env, "APINIZER_TOKEN");
    if (!token)
      throw new ConfigError(
        "APINIZER_TOKEN",
        "required when APINIZER_BASE_URL is set (or APINIZER_TOKEN_FILE)",
      );
    gateways.set("default", {
      name: "default",
      baseUrl: e.APINIZER_BASE_URL,
      token,
      ...defaults,

      listTimeoutMs: listTimeout(defaults.timeoutMs),
      adaptive: adaptiveOf("default", defaults.rateLimitPerSecond, e, {}, "ENFORCER_ADAPTIVE_FLOOR"),
      concurrency: undefined,
      deployStyle: e.APINIZER_DEPLOY_STYLE,
      deployStatus: e.APINIZER_DEPLOY_STATUS,
      dialect: dialectOf(e.APINIZER_GENERATION, e.APINIZER_STORE_FIELDS),
    });
  }
  if (e.ENFORCER_GATEWAYS_FILE !== undefined) {
    for (const g of loadGatewaysFile(env, e.ENFORCER_GATEWAYS_FILE, defaults, e)) {
      if (gateways.has(g.name))
        throw new ConfigError("ENFORCER_GATEWAYS_FILE", `gateway ${g.name} is defined twice`);
      gateways.set(g.name, g);
    }
  }

  const tokensFile = env.ENFORCER_API_TOKENS_FILE;
  const callers = [
    ...parseCallers(env.ENFORCER_API_TOKENS, "ENFORCER_API_TOKENS"),
    ...parseCallers(
      tokensFile ? readSecretFile(tokensFile, "ENFORCER_API_TOKENS_FILE") : undefined,
      "ENFORCER_API_TOKENS_FILE",
    ),
  ];
  const authDisabled = e.ENFORCER_AUTH === "disabled";
  if (!authDisabled && callers.length === 0) {
    throw new ConfigError(
      "ENFORCER_API_TOKENS",
      "no callers configured; set ENFORCER_API_TOKENS (role:name:secret,...) or ENFORCER_AUTH=disabled for a local demo",
    );
  }

  return {
    host: e.HOST,
    port: e.PORT,
    redis: redisConfigOf(env, e),
    queuePrefix: e.ENFORCER_QUEUE_PREFIX,
    gateways,
    callers,
    authDisabled,
    metricsToken: readSecret(env, "ENFORCER_METRICS_TOKEN"),
    workerMetricsPort: e.ENFORCER_METRICS_PORT,
    workerConcurrency: e.ENFORCER_WORKER_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.ENFORCER_BODY_LIMIT,
    lockDurationMs: e.ENFORCER_LOCK_DURATION_MS,
    reconcileAfterMs: e.ENFORCER_RECONCILE_AFTER_MS,
    shutdownTimeoutMs: e.ENFORCER_SHUTDOWN_TIMEOUT_MS,
    retentionDays: e.ENFORCER_ROLLOUT_RETENTION_DAYS,
    auditMaxLen: e.ENFORCER_AUDIT_MAXLEN,
    eventsMaxLen: e.ENFORCER_EVENTS_MAXLEN,
    eventClaimIdleMs: e.ENFORCER_EVENT_CLAIM_IDLE_MS,
    dispatchWindow: e.ENFORCER_DISPATCH_WINDOW,
    webhooks: e.ENFORCER_WEBHOOKS_FILE === undefined ? [] : loadWebhooksFile(env, e.ENFORCER_WEBHOOKS_FILE),
    webhookTimeoutMs: e.ENFORCER_WEBHOOK_TIMEOUT_MS,
    webhookBackoffMs: e.ENFORCER_WEBHOOK_BACKOFF_MS,
    maxStreamsPerCaller: e.ENFORCER_MAX_STREAMS_PER_CALLER,
    maxSchedules: e.ENFORCER_MAX_SCHEDULES,
    policyStrict: e.ENFORCER_POLICY_STRICT === "true",
    planningRetrySeconds: e.ENFORCER_PLANNING_RETRY_SECONDS,
    scheduleMinIntervalSeconds: e.ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS,
    maxPolicies: e.ENFORCER_MAX_POLICIES,
    maxPolicyVersions: e.ENFORCER_MAX_POLICY_VERSIONS,
  };
}
