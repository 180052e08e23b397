import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { rolloutBodySchema } from "../rollouts/schema.js";

// The body of `PUT /v1/schedules/{name}` (contract §3.6), validated before anything is stored.

/** Schedule names appear in Redis keys, BullMQ scheduler ids and `createdBy`: a plain slug. */
export const scheduleNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only, at most 64 characters");

/** Node's Intl knows the IANA database; it throws a RangeError for a zone it does not know. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The parser BullMQ fires with, so a pattern accepted here is one BullMQ can schedule. */
function cronProblem(expression: string): string | undefined {
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" }).next();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
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
      .optional(),
    /** Extension of the contract: a plain interval in milliseconds instead of a cron expression. */
    every: z
      .number()
      .int()
      .min(1000)
      .max(366 * 24 * 3600 * 1000)
      .optional(),
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
