import { z } from "zod";

// Names that callers choose and the service puts into Redis keys, job ids and `createdBy`.

const SLUG = "[A-Za-z0-9_-]{1,64}";

/** Schedule and policy names: a plain slug, so no name can reach into another key. */
export const slugSchema = z
  .string()
  .regex(new RegExp(`^${SLUG}$`), "letters, digits, - and _ only, at most 64 characters");

/** A rollout's reference to a named policy: its latest version, or one pinned with `@version`. */
export const policyRefSchema = z
  .string()
  .regex(
    new RegExp(`^${SLUG}(@[1-9][0-9]{0,8})?$`),
    "a policy name (its latest version) or name@version, e.g. payments-tls or payments-tls@2",
  )
  .describe(
    "Instead of policy: a named policy (PUT /v1/policies/{name}), its latest version when the rollout is created, or name@version",
  );

export interface PolicyRef {
  name: string;
  /** Absent: the latest version at the time of use. */
  version?: number;
}

/** Splits a validated `name[@version]`. */
export function parsePolicyRef(ref: string): PolicyRef {
  const at = ref.indexOf("@");
  return at === -1 ? { name: ref } : { name: ref.slice(0, at), version: Number(ref.slice(at + 1)) };
}
