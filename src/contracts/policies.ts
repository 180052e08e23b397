import { z } from "zod";
import { policyBodySchema } from "../named-policies/schema.js";
import { isoTime, page, policyWarningContract } from "./common.js";
import { named } from "./registry.js";
import { policyContract } from "./rollouts.js";

// Named, versioned policies (`/v1/policies...`).

export const policyRequestContract = named("PolicyRequest", policyBodySchema);

const versionInfo = {
  version: z.int().min(1),
  createdBy: z.string(),
  createdAt: isoTime,
  description: z.string().nullable(),
};

export const policyVersionInfoContract = named(
  "PolicyVersionInfo",
  z.object(versionInfo).describe("Who wrote a version, when, and why"),
);

const versionFields = {
  name: z.string(),
  ...versionInfo,
  policy: policyContract,
  warnings: z
    .array(policyWarningContract)
    .describe("Lint findings: a rollout of this version answers the same"),
};

export const policyVersionContract = named(
  "PolicyVersion",
  z.object({ ...versionFields, links: z.object({ self: z.string(), policy: z.string() }) }),
);

export const policyPutContract = named(
  "PolicyPut",
  z.object({
    ...versionFields,
    links: z.object({ self: z.string(), policy: z.string() }),
    changed: z.boolean().describe("false: the latest version held this content already; none was added"),
  }),
);

export const policyDetailContract = named(
  "PolicyDetail",
  z.object({
    ...versionFields,
    links: z.object({ self: z.string(), version: z.string() }),
    versions: z.array(policyVersionInfoContract).describe("Every version, oldest first"),
  }),
);

export const policySummaryContract = named(
  "PolicySummary",
  z.object({ name: z.string(), ...versionInfo, links: z.object({ self: z.string() }) }),
);

export const policyPageContract = page("PolicyPage", policySummaryContract);

export const policyDiffContract = named(
  "PolicyDiff",
  z.object({
    name: z.string(),
    from: z.int().min(0).describe("0 is the empty policy before version 1"),
    to: z.int().min(0),
    changes: z.array(
      z.object({
        path: z.string().describe("Dotted path of a setting, e.g. mtls.hostnameVerifierType"),
        from: z.unknown().describe("null: absent"),
        to: z.unknown().describe("null: absent"),
      }),
    ),
  }),
);
