import type { PolicyStore } from "../named-policies/policy-store.js";
import { type PolicyRef, parsePolicyRef } from "../rollouts/names.js";
import type { RolloutRequest, RolloutSpec } from "../rollouts/schema.js";
import { ServiceError } from "./service-error.js";

export type PolicyReader = Pick<PolicyStore, "latest" | "version">;

/**
 * A reference that names no stored policy, or a version it does not have: a 400 on `path`
 * (where the reference sits in the request). `latest` is 0 when there is no such policy.
 */
export function unknownPolicyRef(ref: PolicyRef, latest: number, path: string): ServiceError {
  const message =
    latest === 0
      ? `no policy named ${ref.name} (store it first: PUT /v1/policies/${ref.name})`
      : `policy ${ref.name} has no version ${ref.version} (the latest is ${latest})`;
  return new ServiceError("validation_failed", `${path} cannot be resolved: ${message}`, [{ path, message }]);
}

/**
 * The rollout a request asks for, its policy resolved: given inline, or the referenced named
 * policy's latest version (or the pinned `name@version`), recorded as `policyRef`. Rollouts
 * created by callers and by sweep firings both come through here, so a sweep follows updates;
 * a schedule's PUT resolves its rollout here too, to refuse what its firings would refuse.
 */
export async function resolveRolloutPolicy(
  policies: PolicyReader,
  request: RolloutRequest,
  /** Where the request holds `policyRef`, for the 400. */
  path = "policyRef",
): Promise<RolloutSpec> {
  const { policy, policyRef, ...rest } = request;
  if (policy !== undefined) return { ...rest, policy };
  // The request schema allows no body without one of the two.
  const ref = parsePolicyRef(policyRef ?? "");
  const latest = await policies.latest(ref.name);
  const version = ref.version ?? latest;
  if (version < 1 || version > latest) throw unknownPolicyRef(ref, latest, path);
  const found = await policies.version(ref.name, version);
  // Deleted since the first read.
  if (found === undefined) throw unknownPolicyRef(ref, 0, path);
  return { ...rest, policy: found.policy, policyRef: { name: ref.name, version } };
}
