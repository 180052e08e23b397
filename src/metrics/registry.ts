import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { GatewayObserver } from "../gateway/types.js";

/** Every metric of the service (contract §4), in one registry per process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "enforcer_" });
  // Gauges named *_total break Prometheus naming rules (promtool flags them); the same figures
  // stay available by type in enforcer_nodejs_active_{handles,requests,resources}.
  for (const name of ["handles", "requests", "resources"]) {
    registry.removeSingleMetric(`enforcer_nodejs_active_${name}_total`);
  }
  const registers = [registry];

  const metrics = {
    registry,
    rolloutsCreated: new Counter({
      name: "enforcer_rollouts_created_total",
      help: "Rollouts accepted by the API",
      labelNames: ["dry_run"] as const,
      registers,
    }),
    rolloutsFinished: new Counter({
      name: "enforcer_rollouts_finished_total",
      help: "Rollouts that reached a terminal status",
      labelNames: ["status"] as const,
      registers,
    }),
    targetsProcessed: new Counter({
      name: "enforcer_targets_processed_total",
      help: "Targets that reached a terminal status",
      labelNames: ["outcome"] as const,
      registers,
    }),
    gatewayRequests: new Counter({
      name: "enforcer_gateway_requests_total",
      help: "HTTP requests to Apinizer managers, by answer (HTTP status, network or timeout)",
      labelNames: ["gateway", "operation", "code"] as const,
      registers,
    }),
    gatewayDuration: new Histogram({
      name: "enforcer_gateway_request_duration_seconds",
      help: "Duration of HTTP requests to Apinizer managers",
      labelNames: ["gateway", "operation"] as const,
      // Around the gateway timeouts (default 15 s), with resolution where healthy calls land.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    }),
    gatewayRetries: new Counter({
      name: "enforcer_gateway_retries_total",
      help: "Retried gateway calls, by reason (HTTP status, network, timeout)",
      labelNames: ["gateway", "reason"] as const,
      registers,
    }),
    httpRequests: new Counter({
      name: "enforcer_http_requests_total",
      help: "Requests to this service's HTTP API",
      labelNames: ["method", "route", "code"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "enforcer_http_request_duration_seconds",
      help: "Duration of requests to this service's HTTP API",
      labelNames: ["method", "route", "code"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Feeds the gateway client's observations into the metrics. */
export function gatewayObserver(
  metrics: Metrics,
  watch?: (gateway: string, code: string, durationSeconds: number) => void,
): GatewayObserver {
  return {
    onRequest: ({ gateway, operation, code, durationSeconds }) => {
      metrics.gatewayRequests.inc({ gateway, operation, code });
      metrics.gatewayDuration.observe({ gateway, operation }, durationSeconds);
      watch?.(gateway, code, durationSeconds);
    },
    onRetry: ({ gateway, reason }) => metrics.gatewayRetries.inc({ gateway, reason }),
  };
}
