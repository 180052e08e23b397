import { z } from "zod";
import { ROLLOUT_STATUSES, TARGET_STATUSES } from "../engine/lifecycle.js";
import {
  deploySchema,
  policySchema,
  rolloutBodySchema,
  strategySchema,
  targetsSchema,
} from "../rollouts/schema.js";
import { count, isoTime, page, policyWarningContract } from "./common.js";
import { named } from "./registry.js";

// The rollout API's bodies (`/v1/rollouts...`). Requests are the schemas the service validates
// with; answers are written here and checked against real answers by test/api-contract*.test.ts.

export const policyContract = named("Policy", policySchema);
export const rolloutRequestContract = named("RolloutRequest", rolloutBodySchema);
named("Targets", targetsSchema);
named("Strategy", strategySchema);
named("Deploy", deploySchema);

export const countsContract = named(
  "Counts",
  z
    .object({
      total: count.describe("Always the sum of the others"),
      pending: count.describe("Waiting for their wave or the dispatch window"),
      running: count.describe("Handed to the workers: queued or in flight"),
      succeeded: count,
      failed: count,
      skipped: count.describe("Not sent: AI-type proxy, already compliant, or a revert's conflict"),
      cancelled: count,
      planned: count.describe("A dry run's targets"),
    })
    .describe("Targets by status"),
);

/** The named policy version a rollout resolved its `policyRef` to. */
const policyVersionRef = z.object({ name: z.string(), version: z.int().min(1) });

const reason = z.string().nullable();

export const phaseContract = named(
  "DeployPhase",
  z
    .object({
      environment: z.string(),
      rolloutId: z.string().nullable().describe("The phase's own rollout; null until it is created"),
      status: z.enum([...ROLLOUT_STATUSES, "not_started"]),
    })
    .describe("One environment of an after-save rollout, deployed by a rollout of its own"),
);

export const deploymentContract = named(
  "TargetDeployment",
  z
    .object({
      environment: z.string(),
      status: z.enum(["deployed", "failed", "skipped", "cancelled", "in_progress", "not_started"]),
      message: z
        .string()
        .nullable()
        .describe("The manager's message when failed; why, when skipped or cancelled"),
    })
    .describe("A target of an after-save rollout in one environment, from that environment's phase"),
);

export const rolloutContract = named(
  "Rollout",
  z.object({
    id: z.string().describe("`r`, the creation time in base 36, then random: ids sort by creation time"),
    status: z.enum(ROLLOUT_STATUSES),
    dryRun: z.boolean(),
    gateway: z.string(),
    /** The settings sent: given inline, or resolved from policyRef. */
    policy: policyContract,
    policyRef: policyVersionRef
      .nullable()
      .describe("The named policy version the policy was resolved from; null when given inline"),
    warnings: z.array(policyWarningContract).describe("The policy's lint findings"),
    readBack: z
      .boolean()
      .describe("Whether targets' current settings are read: compliant ones skipped, field-level plans"),
    targets: targetsSchema,
    strategy: strategySchema,
    deploy: deploySchema.nullable(),
    description: z.string().nullable(),
    revertOf: z.string().nullable().describe("The rollout this one undoes (POST .../revert)"),
    phaseOf: z
      .string()
      .nullable()
      .describe("A deploy phase: the after-save rollout (its save phase) whose targets it deploys"),
    environment: z.string().nullable().describe("A deploy phase: the one environment it deploys to"),
    phases: z
      .array(phaseContract)
      .describe("An after-save rollout: one phase per environment, in order (empty for any other rollout)"),
    phasesReason: reason.describe(
      "An after-save rollout: why the next environment is not deployed (a phase failed, was cancelled or is paused; or a dry run)",
    ),
    createdBy: z.string().describe("The caller's name, or `schedule:<name>` for a sweep's firing"),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    counts: countsContract,
    wave: z.object({
      current: z.int().min(0).describe("1-based; 0 before the first wave is released"),
      total: z.int().min(0),
    }),
    pausedReason: reason.describe("Why it is paused: by whom, the error budget, the gateway's token..."),
    failureReason: reason,
    cancelReason: reason,
    ranAfterPause: count.describe("Targets that finished after the rollout was paused or cancelled"),
    links: z
      .object({
        self: z.string(),
        targets: z.string().optional().describe("Absent from the answers that create the rollout"),
        events: z.string().optional().describe("Absent from the answers that create the rollout"),
      })
      .describe("Paths on this service"),
  }),
);

export const rolloutPageContract = page("RolloutPage", rolloutContract);

export const fieldChangeContract = named(
  "FieldChange",
  z
    .object({
      section: z.string(),
      field: z.string(),
      current: z.unknown().describe("What the proxy holds"),
      wanted: z.unknown().describe("What the policy asks: a value or a constraint such as {min: TLS_1_2}"),
    })
    .describe("A field a dry run with read-back would change"),
);

export const plannedRequestContract = named(
  "PlannedRequest",
  z
    .object({
      method: z.enum(["PATCH", "POST"]),
      path: z.string().describe("On the manager, under its base URL"),
      body: z.record(z.string(), z.unknown()).optional(),
    })
    .describe("A request a dry run's target would have received"),
);

export const targetContract = named(
  "Target",
  z.object({
    index: count.describe("The target's place in the rollout's order (project, then name)"),
    project: z.string(),
    proxy: z.string(),
    status: z.enum(TARGET_STATUSES),
    wave: count,
    attempts: count,
    error: z
      .object({
        httpStatus: z.int().nullable().describe("The manager's answer; null for network errors"),
        message: z.string().describe("The manager's own message"),
      })
      .nullable(),
    reason: z.string().nullable().describe("Why skipped or cancelled: compliant, conflict, ..."),
    updatedAt: isoTime.nullable(),
    requests: z
      .array(plannedRequestContract)
      .optional()
      .describe("A planned target's requests (dry runs only)"),
    changes: z
      .array(fieldChangeContract)
      .optional()
      .describe("A planned target's differing fields (dry runs with read-back only)"),
    deployments: z
      .array(deploymentContract)
      .optional()
      .describe("An after-save rollout's target: its deployment in each environment"),
  }),
);

export const targetPageContract = page("TargetPage", targetContract);

export const reportRowContract = named(
  "ReportRow",
  z.object({
    project: z.string(),
    proxy: z.string(),
    status: z.enum(TARGET_STATUSES),
    wave: count,
    attempts: count,
    httpStatus: z.int().nullable(),
    message: z.string().nullable(),
    reason: z.string().nullable(),
    updatedAt: isoTime.nullable(),
    deployments: z
      .string()
      .nullable()
      .describe(
        "An after-save rollout: each environment's deployment, e.g. `test: deployed; prod: not_started`",
      ),
  }),
);

export const reportContract = named(
  "Report",
  z
    .object({ rollout: rolloutContract, targets: z.array(reportRowContract) })
    .describe("The JSON report; the CSV one has a header row and one row per target, same columns"),
);
