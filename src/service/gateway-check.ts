import type { GatewayConfig } from "../gateway/types.js";
import { ServiceError } from "./service-error.js";

/**
 * A request names a gateway only by its configured name: an unknown one is a 400 at intake,
 * before anything is stored. `path` is where the name sits in the request body.
 */
export function assertKnownGateway<G>(gateways: ReadonlyMap<string, G>, name: string, path = "gateway"): G {
  const gateway = gateways.get(name);
  if (gateway !== undefined) return gateway;
  const known = [...gateways.keys()].join(", ") || "none configured";
  throw new ServiceError("validation_failed", `unknown gateway ${name}`, [
    { path, message: `no gateway named ${name} is configured (known: ${known})` },
  ]);
}

/** A body's `strategy.maxTargets` may lower the configured ceiling (ENFORCER_MAX_TARGETS), not raise it. */
export function assertWithinMaxTargets(gateway: GatewayConfig, maxTargets: number | undefined): void {
  if (maxTargets === undefined || maxTargets <= gateway.maxTargets) return;
  throw new ServiceError(
    "validation_failed",
    `strategy.maxTargets ${maxTargets} is above the limit of ${gateway.maxTargets} targets per rollout`,
    [{ path: "strategy.maxTargets", message: `at most ${gateway.maxTargets} (ENFORCER_MAX_TARGETS)` }],
  );
}
