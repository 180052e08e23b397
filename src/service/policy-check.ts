import { lintPolicy, type PolicyWarning } from "../policy/lint.js";
import type { Policy } from "../policy/registry.js";
import { ServiceError } from "./service-error.js";

/**
 * The policy's lint findings, answered as warnings; under `strict` (the body's, else the
 * service's ENFORCER_POLICY_STRICT) any finding refuses the request before anything is stored.
 */
export function checkPolicy(policy: Policy, strict: boolean, root = "policy"): PolicyWarning[] {
  const warnings = lintPolicy(policy, root);
  if (strict && warnings.length > 0) {
    throw new ServiceError(
      "validation_failed",
      `strict: the policy has ${warnings.length} lint warning(s)`,
      warnings.map((w) => ({ path: w.path, message: `${w.code}: ${w.message}` })),
    );
  }
  return warnings;
}
