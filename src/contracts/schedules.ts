import { z } from "zod";
import { ROLLOUT_STATUSES } from "../engine/lifecycle.js";
import { scheduleBodySchema } from "../schedules/schema.js";
import { isoTime, page } from "./common.js";
import { named } from "./registry.js";
import { rolloutRequestContract } from "./rollouts.js";

// Compliance sweeps (`/v1/schedules...`).

export const scheduleRequestContract = named("ScheduleRequest", scheduleBodySchema);

const scheduleFields = {
  name: z.string(),
  cron: z.string().nullable(),
  every: z.int().nullable().describe("Milliseconds, when the sweep fires on an interval instead of cron"),
  timezone: z.string(),
  allowFrequent: z.boolean(),
  rollout: rolloutRequestContract,
  createdAt: isoTime,
  createdBy: z.string(),
  updatedAt: isoTime,
  updatedBy: z.string(),
  nextRunAt: isoTime.nullable(),
  lastRolloutId: z.string().nullable().describe("The sweep's newest rollout"),
  links: z.object({ self: z.string(), run: z.string() }),
};

export const scheduleSummaryContract = named("ScheduleSummary", z.object(scheduleFields));

export const scheduleRunContract = named(
  "ScheduleRun",
  z.object({
    at: isoTime.describe("When it fired"),
    scheduledFor: isoTime.nullable().describe("The slot it fired for; null for POST .../run"),
    requestedBy: z.string().nullable().describe("The caller of POST .../run; null for scheduled firings"),
    rolloutId: z.string().nullable(),
    status: z
      .enum([...ROLLOUT_STATUSES, "skipped"])
      .nullable()
      .describe("Its rollout's status now; skipped when it created none; null when the rollout is gone"),
    reason: z.string().nullable().describe("Why it was skipped"),
  }),
);

export const scheduleContract = named(
  "Schedule",
  z.object({
    ...scheduleFields,
    runs: z.array(scheduleRunContract).describe("The last firings, newest first"),
  }),
);

export const schedulePageContract = page("SchedulePage", scheduleSummaryContract);
