import { CronExpressionParser } from "cron-parser";
import type { ErrorDetail } from "../service/service-error.js";
import type { ScheduleDefinition } from "./schema.js";

/**
 * Upcoming firings looked at: enough for a pattern's shortest gap to show (a burst within an
 * hour, a minute or a day shows within its first few firings), cheap enough to compute per PUT.
 */
const FIRINGS_CHECKED = 50;

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
