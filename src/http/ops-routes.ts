import type { Redis } from "ioredis";
import type { Metrics } from "../metrics/registry.js";
import { ServiceError } from "../service/service-error.js";
import { bearerCheck } from "./auth.js";
import type { Route } from "./route.js";

const READY_TIMEOUT_MS = 1000;

export function opsRoutes(deps: {
  redis: Redis;
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
      summary: "The process is alive",
      handle: async () => ({ status: 200, body: { status: "ok" } }),
    },
    {
      method: "get",
      path: "/readyz",
      role: null,
      summary: "200 when Redis answers, else 503",
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
      summary: "Prometheus metrics (needs ENFORCER_METRICS_TOKEN as bearer when that is set)",
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
