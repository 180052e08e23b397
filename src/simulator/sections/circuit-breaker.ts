// PATCH .../settings/circuit-breaker/ (ApiProxyCircuitBreakerUpdateDTO).
import { bool, int32, oneOf } from "./fields.js";
import { defineSection } from "./section.js";

const ERROR_THRESHOLD_TYPES = ["COUNT", "PERCENT"] as const;

export const CIRCUIT_BREAKER = defineSection({
  key: "circuitBreaker",
  segment: "circuit-breaker",
  schemaName: "ApiProxyCircuitBreakerUpdateDTO",
  fields: {
    circuitBreakerEnabled: bool,
    /** Seconds in which errors are counted. */
    errorWindow: int32,
    /** A count or a percentage, as enumErrorThresholdType says. */
    errorThresholdValue: int32,
    enumErrorThresholdType: oneOf(ERROR_THRESHOLD_TYPES),
    /** Seconds the breaker stays open. */
    sleepWindow: int32,
    halfOpenEnabled: bool,
  },
  // Guess: the docs give no defaults; these are their example's values with the breaker off.
  defaults: () => ({
    circuitBreakerEnabled: false,
    errorWindow: 60,
    errorThresholdValue: 5,
    enumErrorThresholdType: "COUNT" as const,
    sleepWindow: 30,
    halfOpenEnabled: false,
  }),
});
