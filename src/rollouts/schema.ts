import { z } from "zod";
import { ROLLOUT_STATUSES, TARGET_STATUSES } from "../engine/lifecycle.js";
import { policySchema } from "../policy/registry.js";
import { text } from "../policy/text.js";
import { type PolicyRef, policyRefSchema } from "./names.js";

// The request bodies of the rollout API. These schemas are the one source of truth: routes
// validate with them and the OpenAPI document is generated from them.

const name = text.min(1).max(512);
/** At most 1000 globs of 512 characters: matching is linear in both (glob.ts). */
const glob = text
  .min(1)
  .max(512)
  .describe(
    "A glob on the whole proxy name, case-sensitive: `*` any run of characters (`/` included), `?` one character, `\\` makes the next character literal; nothing else is special",
  );

/** A repeated name would multiply targets and PATCHes: repeats are dropped, the first of each kept. */
const uniqueList = (item: typeof name, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .transform((list) => [...new Set(list)])
    .describe("Repeated entries are dropped");
const percent = z.string().regex(/^(100|[1-9]?\d(\.\d+)?)%$/, 'a percentage such as "10%"');

export { policySchema };

export const targetsSchema = z
  .object({
    projects: uniqueList(name, 10_000),
    proxies: uniqueList(name, 200_000).optional(),
    include: uniqueList(glob, 1000).optional(),
    exclude: uniqueList(glob, 1000).optional(),
  })
  .strict()
  .refine((t) => !t.projects.includes("*") || t.projects.length === 1, {
    path: ["projects"],
    message: '"*" (every project) cannot be combined with project names',
  });

const waveSize = z.union([z.number().int().positive(), percent]);

export const strategySchema = z
  .object({
    waves: z.array(waveSize).min(1).max(100).optional(),
    maxErrors: z.union([z.number().int().min(0), percent]).optional(),
    bakeSeconds: z.number().int().min(0).max(86_400).optional(),
    pauseBetweenWaves: z.boolean().optional(),
    maxTargets: z
      .number()
      .int()
      .positive()
      .describe("Lowers the service's ceiling (ENFORCER_MAX_TARGETS, default 100000) for this rollout")
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Waves are cumulative: counts must grow among counts, percentages among percentages.
    let lastCount = 0;
    let lastPercent = 0;
    (s.waves ?? []).forEach((w, i) => {
      const isPercent = typeof w === "string";
      const value = isPercent ? Number.parseFloat(w) : w;
      const last = isPercent ? lastPercent : lastCount;
      if (value <= last) {
        ctx.addIssue({
          code: "custom",
          path: ["waves", i],
          message: 'waves are cumulative sizes and must grow (e.g. [1, "10%", "100%"])',
        });
      }
      if (isPercent) lastPercent = value;
      else lastCount = value;
    });
  });

export const DEPLOY_MODES = ["per-target", "after-save"] as const;

export const deploySchema = z
  .object({
    environments: z.array(name).min(1).max(50),
    mode: z
      .enum(DEPLOY_MODES)
      .optional()
      .describe(
        "per-target (default): each target deploys right after its save. after-save: every target is saved first, then each environment in order is deployed by a rollout of its own (a phase), the next only after the previous deployed everywhere",
      ),
  })
  .strict()
  .refine((d) => new Set(d.environments).size === d.environments.length, {
    path: ["environments"],
    message: "environments must not repeat",
  });

export const rolloutBodySchema = z
  .object({
    gateway: text.min(1).max(63).default("default"),
    policy: policySchema.optional().describe("The settings to apply; or give policyRef instead"),
    policyRef: policyRefSchema.optional(),
    targets: targetsSchema,
    deploy: deploySchema.nullable().optional(),
    strategy: strategySchema.optional(),
    dryRun: z.boolean().default(false),
    strict: z
      .boolean()
      .describe(
        "Refuse the rollout (400) when the policy's lint finds anything, instead of answering warnings",
      )
      .optional(),
    description: text.max(2000).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.policy === undefined) === (body.policyRef === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [body.policy === undefined ? "policy" : "policyRef"],
        message:
          "give exactly one of policy (the settings) or policyRef (a named policy: name or name@version)",
      });
    }
  });

/** A validated rollout request as sent: its policy inline, or a reference to a named one. */
export type RolloutRequest = z.infer<typeof rolloutBodySchema>;

/**
 * What a rollout was asked to do, its policy resolved. Immutable once created. `policyRef` is the
 * named policy version it came from; `revertOf` is set by the service (never by a request) on a
 * rollout that undoes another; `phaseOf` and `environment` on a deploy phase of an after-save
 * rollout (its targets only deploy, to that one environment).
 */
export type RolloutSpec = Omit<RolloutRequest, "policy" | "policyRef"> & {
  policy: z.infer<typeof policySchema>;
  policyRef?: Required<PolicyRef>;
  revertOf?: string;
  phaseOf?: string;
  environment?: string;
};
export type WaveSize = z.infer<typeof waveSize>;

/** Rollout ids: "r", creation time in base 36, then random; they sort by creation time. */
export const ROLLOUT_ID_PATTERN = /^r[0-9a-z]{9}[0-9A-Za-z_-]{8}$/;

const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);

export const listQuerySchema = z
  .object({
    status: z.enum(ROLLOUT_STATUSES).optional(),
    limit: limitSchema,
    cursor: z.string().regex(ROLLOUT_ID_PATTERN, "not a cursor of this list").optional(),
  })
  .strict();

export const targetQuerySchema = z
  .object({
    status: z.enum(TARGET_STATUSES).optional(),
    limit: limitSchema,
    cursor: z.coerce.number().int().min(0).optional(),
  })
  .strict();
