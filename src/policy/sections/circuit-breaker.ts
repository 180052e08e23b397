import { z } from "zod";
import { boundedInt, concrete } from "../constraints.js";
import { finding, type SectionDefinition, sectionBody } from "../section.js";

// The manager's ApiProxyCircuitBreakerUpdateDTO body.
const schema = sectionBody(
  {
    circuitBreakerEnabled: z.boolean().optional(),
    errorWindow: boundedInt("Seconds over which errors are counted").optional(),
    errorThresholdValue: boundedInt("Errors (count or percent) that open the circuit").optional(),
    enumErrorThresholdType: z.enum(["COUNT", "PERCENT"]).optional(),
    sleepWindow: boundedInt("Seconds the circuit stays open").optional(),
    halfOpenEnabled: z.boolean().optional(),
  },
  "circuit-breaker",
);

export const circuitBreakerSection: SectionDefinition = {
  key: "circuitBreaker",
  segment: "circuit-breaker",
  label: "circuit breaker",
  appliesToAiProxies: true,
  schema,
  lint(cb) {
    const threshold = concrete(cb.errorThresholdValue);
    if (cb.enumErrorThresholdType === "PERCENT" && typeof threshold === "number" && threshold > 100) {
      return [
        finding(
          "threshold_out_of_bounds",
          "errorThresholdValue",
          "a percentage threshold above 100 never opens the circuit",
        ),
      ];
    }
    return [];
  },
};
