import { health, readiness } from "../contracts/index.js";
import type { Metrics } from "../metrics/registry.js";
import { ServiceError } from "../service/service-error.js";
import type { RedisClient } from "../store/redis-client.js";
import { bearerCheck } from "./auth.js";
import { json } from "./responses.js";
import type { Route } from "./route.js";

const READY_TIMEOUT_MS = 1000;

export function opsRoutes(deps: {
  redis: RedisClient;
  metrics: Metrics;
  metricsToken: string | undefined;
}): Route[] {
  const { metricsToken } = deps;
  const checkMetricsToken = metricsToken === undefined ? undefined : bearerCheck([[metricsToken, true]]);
  return [
    {
      method: "get",
      path: "/healthz",
      role: null,
      operationId: "getHealth",
      summary: "The process is alive",
      responses: { 200: json("Alive", health) },
      handle: async () => ({ status: 200, body: { status: "ok" } }),
    },
    {
      method: "get",
      path: "/readyz",
      role: null,
      operationId: "getReadiness",
      summary: "200 when Redis answers, else 503",
      responses: { 200: json("Redis answers", readiness) },
      errors: { unavailable: "Redis does not answer within a second" },
      handle: async () => {
        const ping = deps.redis.ping();
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("timeout")), READY_TIMEOUT_MS).unref(),
        );
        try {
          await Promise.race([ping, timeout]);
        } catch {
          ping.catch(() => {});
          throw new ServiceError("unavailable", "Redis does not answer");
        }
        return { status: 200, body: { status: "ready" } };
      },
    },
    {
      method: "get",
      path: "/metrics",
      role: null,
      operationId: "getMetrics",
      summary: "Prometheus metrics (needs ENFORCER_METRICS_TOKEN as bearer when that is set)",
      responses: {
        200: { description: "The Prometheus text format", content: { "text/plain": "text" } },
      },
      errors: { unauthorized: "ENFORCER_METRICS_TOKEN is set and was not sent as the bearer token" },
      handle: async ({ header }) => {
        checkMetricsToken?.(header("authorization"));
        return {
          status: 200,
          body: await deps.metrics.registry.metrics(),
          headers: { "Content-Type": deps.metrics.registry.contentType },
        };
      },
    },
  ];
}
