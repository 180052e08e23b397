import { CronExpressionParser } from "cron-parser";
import type { ErrorDetail } from "../service/service-error.js";
import type { ScheduleDefinition } from "./schema.js";

/**
 * Upcoming firings looked at: a burst within a minute, an hour or a day shows within its first
 * few, and a rare pattern (29 February) still costs only ~0.1 s of one PUT to step through.
 */
const FIRINGS_CHECKED = 24;

/** The shortest time between two of the sweep's next firings, in ms. */
function shortestGapMs(definition: ScheduleDefinition): number {
  if (definition.every !== undefined) return definition.every;
  const times = CronExpressionParser.parse(definition.cron ?? "", { tz: definition.timezone })
    .take(FIRINGS_CHECKED)
    .map((date) => date.getTime());
  return Math.min(...times.slice(1).map((time, i) => time - (times[i] ?? time)));
}

/** Why the sweep fires too often for the service's minimum interval, unless it says it may. */
export function frequencyProblem(
  definition: ScheduleDefinition,
  minIntervalSeconds: number,
): ErrorDetail | undefined {
  if (definition.allowFrequent) return undefined;
  const gapSeconds = shortestGapMs(definition) / 1000;
  if (gapSeconds >= minIntervalSeconds) return undefined;
  return {
    path: definition.every === undefined ? "cron" : "every",
    message: `fires as often as every ${gapSeconds} s, more often than every ${minIntervalSeconds} s (ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS); send "allowFrequent": true if that is meant`,
  };
}
