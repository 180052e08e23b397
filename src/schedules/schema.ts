import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { slugSchema } from "../rollouts/names.js";
import { rolloutBodySchema } from "../rollouts/schema.js";

// The body of `PUT /v1/schedules/{name}` (contract §3.6), validated before anything is stored.

/** Schedule names appear in Redis keys, BullMQ scheduler ids and `createdBy`: a plain slug. */
export const scheduleNameSchema = slugSchema;

/** Node's Intl knows the IANA database; it throws a RangeError for a zone it does not know. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The macros cron-parser (and so BullMQ) knows that name a usual period; not `@midnight`. */
const CRON_MACROS = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually"];

export const CRON_FORMS = `5 fields (minute hour day-of-month month day-of-week, e.g. 0 3 * * *), 6 with seconds first (e.g. 0 0 3 * * *), or one of ${CRON_MACROS.join(" ")}`;

/**
 * cron-parser fills missing fields in (`0 3 * *` would fire every minute of the 3rd) and picks
 * a random value for `H` at every parse (BullMQ parses again for each slot): neither is allowed.
 * The rest is left to the parser BullMQ fires with, so a pattern accepted here is one it can run.
 */
function cronProblem(expression: string): string | undefined {
  const fields = expression.split(/\s+/).length;
  if (!CRON_MACROS.includes(expression) && fields !== 5 && fields !== 6) return `use ${CRON_FORMS}`;
  // An H on its own, not the h of a day or month name such as THU.
  if (/(?<![a-z])H(?![a-z])/i.test(expression))
    return `H (hashed) values are not supported: use ${CRON_FORMS}`;
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" }).next();
    return undefined;
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}; use ${CRON_FORMS}`;
  }
}

export const scheduleBodySchema = z
  .object({
    cron: z
      .string()
      .trim()
      .min(1, "give a cron expression such as 0 3 * * *")
      .max(200)
      .superRefine((expression, ctx) => {
        const problem = cronProblem(expression);
        if (problem !== undefined)
          ctx.addIssue({ code: "custom", message: `not a valid cron expression: ${problem}` });
      })
      .optional()
      .describe(`When the sweep fires, in \`timezone\`: ${CRON_FORMS}`),
    /** Extension of the contract: a plain interval in milliseconds instead of a cron expression. */
    every: z
      .number()
      .int()
      .min(1000)
      .max(366 * 24 * 3600 * 1000)
      .optional()
      .describe("Instead of cron: fire every this many milliseconds"),
    allowFrequent: z
      .boolean()
      .default(false)
      .describe(
        "Allow the sweep to fire more often than the service's minimum interval (ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS, 60 s unless configured), measured over its next firings",
      ),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, "not an IANA time zone (e.g. UTC, Europe/Istanbul)")
      .default("UTC"),
    rollout: rolloutBodySchema,
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.cron === undefined) === (body.every === undefined)) {
      ctx.addIssue({ code: "custom", path: ["cron"], message: "give exactly one of cron or every" });
    }
  });

/** A validated schedule definition, as stored. */
export type ScheduleDefinition = z.infer<typeof scheduleBodySchema>;

/** `GET /v1/schedules`: pages in name order; `cursor` is the previous page's nextCursor. */
export const scheduleListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: scheduleNameSchema.optional().describe("nextCursor of the previous page"),
  })
  .strict();
