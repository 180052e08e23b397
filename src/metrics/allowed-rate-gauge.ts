import { Gauge } from "prom-client";
import type { GatewayRates } from "../queue/adaptive-rate.js";
import type { Metrics } from "./registry.js";

/**
 * `enforcer_gateway_allowed_rate{gateway}`: the request rate each gateway is allowed now, read from
 * Redis on each scrape (the adaptive rate every worker follows; a fixed gateway's configured rate).
 */
export function registerAllowedRateGauge(metrics: Metrics, rates: GatewayRates): void {
  new Gauge({
    name: "enforcer_gateway_allowed_rate",
    help: "Requests per second a gateway is allowed now: its adaptive rate, or its configured rate when fixed",
    labelNames: ["gateway"] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      try {
        for (const [gateway, rate] of await rates.allowed()) this.set({ gateway }, rate);
      } catch {
        // Redis does not answer: no value rather than a stale one (enforcer_redis_up says why).
      }
    },
  });
}
