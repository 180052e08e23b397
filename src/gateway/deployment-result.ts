// Reading a deployment answer strictly: an environment counts as deployed only when the manager
// positively says so. Anything it leaves out (no result, no entry for the environment, no
// `success: true`) is a failed deployment whose message says what was missing.
import { isObject, type JsonObject } from "./envelopes.js";
import type { DeploymentOutcome } from "./types.js";

/**
 * Where the deployment was asked for: in the settings PATCH (`inline`) or by the deploy endpoint
 * `POST …/environments/{env}/` (one environment per call).
 */
export type DeployVia = "inline" | "endpoint";

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

interface Entry {
  environmentName: string | undefined;
  success: unknown;
  message: string | undefined;
}

const nameOf = (node: JsonObject) => text(node.envName) ?? text(node.environmentName);
const messageOf = (node: JsonObject) => text(node.detail) ?? text(node.message);

/**
 * Every per-environment (or per-pod) entry of a result, in both spellings: the manager's OpenAPI
 * document nests `DeploymentResult`s as `detailList[{envName, success, detail, detailList}]`, the
 * prose docs say `deploymentResults[{environmentName, success, message}]`. An entry without a name
 * belongs to the entry it is nested in (a pod of an environment); `fallback` names entries that no
 * ancestor names (the one environment a deploy-endpoint call was for). `firstFromApiResultList`
 * repeats an entry of the list and is not read.
 */
function entriesOf(node: JsonObject, inherited: string | undefined, out: Entry[]): Entry[] {
  const list = Array.isArray(node.deploymentResults) ? node.deploymentResults : node.detailList;
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (!isObject(item)) continue;
    const environmentName = nameOf(item) ?? inherited;
    out.push({ environmentName, success: item.success, message: messageOf(item) });
    entriesOf(item, environmentName, out);
  }
  return out;
}

const failed = (environmentName: string, message: string): DeploymentOutcome => ({
  environmentName,
  success: false,
  message,
});

const NO_RESULT: Record<DeployVia, string> = {
  inline:
    'the manager reported no deployment result (a manager that does not take deploy fields in the PATCH ignores them: use deployStyle "endpoint")',
  endpoint: "the manager reported no deployment result",
};

/**
 * Per requested environment, whether the answer (`{…, deploymentResult}`) **positively** reports
 * it deployed, plus every other environment it reports failed. An environment is deployed when:
 * - the result names it (the result itself or an entry of its lists, by `envName` or
 *   `environmentName`), every part naming it says `success: true`, and the overall `success` is
 *   not `false`; or
 * - on the deploy endpoint (one environment a call), the result names no environment at all
 *   (no lists, or empty ones) and says `success: true` overall.
 * Anything else fails it: no `deploymentResult`, an entry with `success` missing or not `true`, a
 * result that names only other environments, `{}`, or an overall `success: true` without entries
 * on an inline deploy (which may name several environments).
 */
export function deploymentOutcomes(
  body: unknown,
  environments: readonly string[],
  via: DeployVia,
): DeploymentOutcome[] {
  const result = isObject(body) ? body.deploymentResult : undefined;
  if (!isObject(result)) return environments.map((name) => failed(name, NO_RESULT[via]));

  const sole = via === "endpoint" && environments.length === 1 ? environments[0] : undefined;
  const top = nameOf(result);
  const entries = entriesOf(result, top ?? sole, []);
  if (top !== undefined)
    entries.unshift({ environmentName: top, success: result.success, message: undefined });
  const overall = messageOf(result) ?? "deployment failed";
  const named = [...new Set(entries.map((entry) => entry.environmentName ?? "(unnamed)"))];

  const outcomes = environments.map((name): DeploymentOutcome => {
    const own = entries.filter((entry) => entry.environmentName === name);
    const refused = own.find((entry) => entry.success === false);
    if (refused) return failed(name, refused.message ?? overall);
    if (own.some((entry) => entry.success !== true)) {
      return failed(name, `not confirmed: the deployment result's entry for ${name} has no "success": true`);
    }
    if (own.length > 0) return { environmentName: name, success: true };
    if (entries.length === 0 && name === sole && result.success === true) {
      return { environmentName: name, success: true };
    }
    if (result.success === false) return failed(name, overall);
    if (entries.length > 0) {
      return failed(
        name,
        `not confirmed: the deployment result does not name ${name} (it names ${named.join(", ")})`,
      );
    }
    return failed(
      name,
      result.success === true
        ? `not confirmed: the deployment result names no environment, only an overall success`
        : `not confirmed: the deployment result names no environment and reports no success`,
    );
  });
  for (const entry of entries) {
    const name = entry.environmentName ?? "(unnamed environment)";
    const extra = entry.success === false && !environments.includes(name);
    if (extra && !outcomes.some((o) => o.environmentName === name)) {
      outcomes.push(failed(name, entry.message ?? overall));
    }
  }
  // An overall failure must not be lost when the per-environment entries contradict it.
  if (result.success === false && outcomes.every((outcome) => outcome.success)) {
    return outcomes.length === 0
      ? [failed("(unnamed environment)", overall)]
      : outcomes.map(({ environmentName }) => failed(environmentName, overall));
  }
  return outcomes;
}
