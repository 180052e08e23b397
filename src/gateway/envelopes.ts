// Reading both generations of the manager's response envelopes (older `success`/`error_description`,
// newer `status`/`resultMessage`/`resultList`), so the rest of the client never looks at raw bodies.
import type { DeploymentOutcome } from "./types.js";

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** `success: true` or `status: "SUCCESS"`: what a write must answer to count as done. */
export function isSuccessEnvelope(body: unknown): boolean {
  return isObject(body) && (body.success === true || body.status === "SUCCESS");
}

/** `success: false` or `status: "FAILURE"`: a failure even under HTTP 200. */
export function isFailureEnvelope(body: unknown): boolean {
  return isObject(body) && (body.success === false || body.status === "FAILURE");
}

/** The manager's own words: `error_description` (older) or `resultMessage` (newer). */
export function envelopeMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  return text(body.error_description) ?? text(body.resultMessage);
}

/** Items of a list answer: `resultList`, or a bare array. Undefined when the body is neither. */
export function listItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (isObject(body) && Array.isArray(body.resultList)) return body.resultList;
  return undefined;
}

/** One object answer: newer managers wrap it as `resultList[0]`, older ones send the object itself. */
export function singleItem(body: unknown): JsonObject | undefined {
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.resultList)) {
    const first = body.resultList[0];
    return isObject(first) ? first : undefined;
  }
  return body;
}

interface ReportedDeployment {
  environmentName: string | undefined;
  success: boolean;
  message: string | undefined;
}

// The docs say `deploymentResults[{environmentName, success, message}]`; the manager's OpenAPI
// document says `detailList[{envName, success, detail}]`. Both are read.
function reportedDeployments(result: JsonObject): ReportedDeployment[] {
  const entries = Array.isArray(result.deploymentResults) ? result.deploymentResults : result.detailList;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isObject).map((entry) => ({
    environmentName: text(entry.environmentName) ?? text(entry.envName),
    success: entry.success !== false,
    message: text(entry.message) ?? text(entry.detail),
  }));
}

/**
 * Per-environment outcome of a deployment answer (`deploymentResult`), for each requested environment
 * plus any other environment reported as failed. `unreported` decides what a missing
 * `deploymentResult` means: a manager that ignores inline deploy fields answers without one, and then
 * nothing was deployed; the deploy endpoint's plain success envelope is a success.
 */
export function deploymentOutcomes(
  body: unknown,
  environments: readonly string[],
  unreported: "failed" | "succeeded",
): DeploymentOutcome[] {
  const result = isObject(body) ? body.deploymentResult : undefined;
  if (!isObject(result)) {
    return environments.map((environmentName) =>
      unreported === "succeeded"
        ? { environmentName, success: true }
        : { environmentName, success: false, message: "the manager reported no deployment result" },
    );
  }
  const reported = reportedDeployments(result);
  const overallFailed = result.success === false;
  const overallMessage = text(result.message) ?? text(result.detail) ?? "deployment failed";
  const outcomes = environments.map((environmentName): DeploymentOutcome => {
    const own = reported.filter((entry) => entry.environmentName === environmentName);
    const failed = own.find((entry) => !entry.success);
    if (failed) return { environmentName, success: false, message: failed.message ?? overallMessage };
    if (own.length === 0 && overallFailed)
      return { environmentName, success: false, message: overallMessage };
    return { environmentName, success: true };
  });
  for (const entry of reported) {
    const name = entry.environmentName ?? "(unnamed environment)";
    if (!entry.success && !environments.includes(name)) {
      outcomes.push({ environmentName: name, success: false, message: entry.message ?? overallMessage });
    }
  }
  // An overall failure must not be lost when the per-environment entries contradict it.
  if (overallFailed && outcomes.every((outcome) => outcome.success)) {
    return outcomes.length === 0
      ? [{ environmentName: "(unnamed environment)", success: false, message: overallMessage }]
      : outcomes.map(({ environmentName }) => ({ environmentName, success: false, message: overallMessage }));
  }
  return outcomes;
}
