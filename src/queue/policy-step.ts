import type { ApinizerClient, CallOptions } from "../gateway/client.js";
import { beforeImage, mtlsDifferences, readMtls } from "../gateway/mtls-readback.js";
import type { GatewayConfig, MtlsSettings } from "../gateway/types.js";
import type { RolloutSpec } from "../rollouts/schema.js";

/** How one target ended, ready to record. */
export interface StepOutcome {
  status: "succeeded" | "planned" | "skipped" | "failed";
  attempts: number;
  httpStatus?: number;
  message?: string;
  reason?: string;
  /** The proxy's settings before this rollout (JSON), for a later revert. */
  before?: string;
}

export interface ClaimedTarget {
  project: string;
  proxy: string;
  /** For a revert: the before-image to write back (JSON). */
  before: string;
}

/**
 * The gateway side of one target: with read-back, skip a proxy that already complies, keep its
 * before-image and verify the result; a revert writes the before-image only where the proxy
 * still holds what the reverted rollout wrote (compare-and-set). Gateway errors propagate for
 * the caller to classify.
 */
export async function applyPolicy(
  client: ApinizerClient,
  gateway: GatewayConfig,
  spec: RolloutSpec,
  target: ClaimedTarget,
  options: CallOptions,
): Promise<StepOutcome> {
  const { project, proxy } = target;
  const revert = spec.revertOf !== undefined;
  const wanted: MtlsSettings = revert
    ? (JSON.parse(target.before || "{}") as MtlsSettings)
    : spec.policy.mtls;
  const deploy = spec.deploy ?? undefined;

  if (gateway.readBack !== "full") {
    if (spec.dryRun) return { status: "planned", attempts: 0 };
    const result = await client.updateMtls(project, proxy, wanted, deploy, options);
    return { status: "succeeded", attempts: result.attempts, httpStatus: result.httpStatus };
  }

  const current = await readMtls(client, project, proxy, options);
  if (revert) {
    const changedSince = mtlsDifferences(current, spec.policy.mtls);
    if (changedSince.length > 0) {
      return {
        status: "skipped",
        attempts: 0,
        reason: `conflict: changed since the rollout (${changedSince.join(", ")})`,
      };
    }
  }
  if (mtlsDifferences(current, wanted).length === 0)
    return { status: "skipped", attempts: 0, reason: "compliant" };
  const before = JSON.stringify(beforeImage(current, wanted));
  if (spec.dryRun) return { status: "planned", attempts: 0, before };

  const result = await client.updateMtls(project, proxy, wanted, deploy, options);
  const differs = mtlsDifferences(await readMtls(client, project, proxy, options), wanted);
  if (differs.length > 0) {
    return {
      status: "failed",
      attempts: result.attempts,
      httpStatus: result.httpStatus,
      message: `verification: after the update the manager reports other values for ${differs.join(", ")}`,
      before,
    };
  }
  return { status: "succeeded", attempts: result.attempts, httpStatus: result.httpStatus, before };
}
