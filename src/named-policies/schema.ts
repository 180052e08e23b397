import { z } from "zod";
import { text } from "../policy/text.js";
import { slugSchema } from "../rollouts/names.js";
import { policySchema } from "../rollouts/schema.js";

// The requests of the named-policy API (`/v1/policies`), validated before anything is stored.

/** Policy names appear in Redis keys and in rollouts' `policyRef`: the same slug as schedules. */
export const policyNameSchema = slugSchema;

export const policyBodySchema = z
  .object({
    policy: policySchema,
    description: text
      .max(2000)
      .optional()
      .describe("What this version is and why it changed (kept with the version)"),
  })
  .strict();

export type PolicyBody = z.infer<typeof policyBodySchema>;

/** A version number as a path or query string: digits only, so `1e3` or `0x10` is not version 1000 or 16. */
const versionText = z
  .string()
  .regex(/^\d{1,9}$/, "a version number (1, 2, ...)")
  .transform(Number);

export const policyVersionSchema = versionText.refine((n) => n >= 1, "versions start at 1");

/** `GET /v1/policies`: pages in name order; `cursor` is the previous page's nextCursor. */
export const policyListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: policyNameSchema.optional().describe("nextCursor of the previous page"),
  })
  .strict();

/** `GET /v1/policies/{name}/diff`; version 0 is the empty policy before the first version. */
export const policyDiffQuerySchema = z
  .object({
    from: versionText.optional().describe("default: the version before `to` (0, the empty policy, before 1)"),
    to: versionText.optional().describe("default: the latest version"),
  })
  .strict();

/** `If-Match` of a PUT: the version the caller last read, as a number or an ETag (`"3"`). */
export const ifMatchSchema = z
  .string()
  .regex(/^(W\/)?"?\d{1,9}"?$/, 'the version you last read, e.g. 3 or "3" (the ETag of GET)')
  .transform((value) => Number(value.replace(/\D/g, "")));
