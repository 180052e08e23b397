export { ApinizerClient, type CallOptions, type DeployRequest, type PlannedRequest } from "./client.js";
export { GatewayError, type GatewayErrorKind } from "./errors.js";
export {
  DEFAULT_RETRY_OPTIONS,
  type RateLimitedMode,
  type RetryOptions,
  resolveRetryOptions,
} from "./retry-policy.js";
export type * from "./types.js";
