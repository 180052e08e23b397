import { asConstraint } from "../policy/constraints.js";

/** One difference between two versions: the dotted path of a setting, and its values (null: absent). */
export interface PolicyChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** An object of settings to compare field by field; a constraint (`{"min": ...}`) is one value. */
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && asConstraint(value) === undefined;

/**
 * What changed from one policy document to another, setting by setting, in path order. Objects
 * are compared field by field; a list (such as the protocols) is one value, since its order is
 * what the gateway receives, and so is a constraint such as `{"min": "TLS_1_2"}`.
 */
export function policyDiff(from: unknown, to: unknown, path = ""): PolicyChange[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((key) => policyDiff(from[key], to[key], path === "" ? key : `${path}.${key}`));
  }
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  // A section or setting that appears or goes shows as a whole.
  return [{ path, from: from ?? null, to: to ?? null }];
}
