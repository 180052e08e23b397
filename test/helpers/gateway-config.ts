import type { GatewayConfig } from "../../src/gateway/types.js";

/** A gateway's settings for tests that never call its manager (limiter and key-layout tests). */
export const offlineGateway = (name: string, over: Partial<GatewayConfig> = {}): GatewayConfig => ({
  name,
  baseUrl: "http://manager",
  token: "t",
  rateLimitPerSecond: 100,
  outageFailures: 20,
  outageWindowMs: 60_000,
  autoResume: false,
  concurrency: 4,
  timeoutMs: 1000,
  deployStyle: "inline",
  dialect: { storeFields: "id", wrapSections: true },
  connections: 4,
  maxTargets: 100,
  ...over,
});
