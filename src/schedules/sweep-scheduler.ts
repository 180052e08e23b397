import type { Job, Queue } from "bullmq";
import { JOB, jobIds, type RolloutJobData } from "../queue/queue-names.js";
import type { ScheduleStore } from "./schedule-store.js";
import type { ScheduleDefinition } from "./schema.js";

// The BullMQ side of a sweep: a job scheduler on the control queue. It lives in Redis, survives
// restarts, and puts one job per slot on the queue however many processes run.

export async function upsertSweepScheduler(
  control: Queue<RolloutJobData>,
  name: string,
  definition: ScheduleDefinition,
): Promise<void> {
  await control.upsertJobScheduler(
    jobIds.sweepScheduler(name),
    definition.every === undefined
      ? { pattern: definition.cron, tz: definition.timezone }
      : { every: definition.every },
    { name: JOB.sweep, data: { rolloutId: "", schedule: name } },
  );
}

export async function removeSweepScheduler(control: Queue<RolloutJobData>, name: string): Promise<void> {
  await control.removeJobScheduler(jobIds.sweepScheduler(name));
}

/**
 * The slot (ms) a sweep job fires for. BullMQ names a scheduler's jobs `repeat:<id>:<slot>`; its
 * `prevMillis` is set for cron patterns only, and `timestamp` is when the job was queued, which
 * for an `every` sweep is when the previous slot's job ran: that slot's time, not this one's.
 */
export function sweepSlot(job: Pick<Job, "id" | "opts" | "timestamp">): number {
  const slot = Number(/^repeat:.+:(\d+)$/.exec(job.id ?? "")?.[1]);
  return Number.isSafeInteger(slot) ? slot : (job.opts.prevMillis ?? job.timestamp);
}

/** When the sweep fires next (ISO), or null when BullMQ has no slot for it. */
export async function nextSweepRun(control: Queue<RolloutJobData>, name: string): Promise<string | null> {
  const scheduler = await control.getJobScheduler(jobIds.sweepScheduler(name));
  return scheduler?.next === undefined ? null : new Date(scheduler.next).toISOString();
}

/**
 * At worker start, every stored sweep gets its BullMQ scheduler back if it was lost (e.g. the
 * control queue was obliterated); for the others the upsert changes nothing.
 */
export async function restoreSweepSchedulers(
  store: ScheduleStore,
  control: Queue<RolloutJobData>,
): Promise<number> {
  let restored = 0;
  for (const name of await store.names()) {
    const schedule = await store.get(name);
    if (schedule === undefined) continue;
    await upsertSweepScheduler(control, name, schedule.definition);
    restored++;
  }
  return restored;
}
