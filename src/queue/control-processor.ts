import type { Job } from "bullmq";
import { sweepSlot } from "../schedules/sweep-scheduler.js";
import type { Dispatcher } from "./dispatcher.js";
import { type PlannerDeps, planRollout } from "./planner.js";
import { type PrunerDeps, pruneRollouts } from "./pruner.js";
import { JOB, type RolloutJobData } from "./queue-names.js";
import { type ReconcilerDeps, reconcile } from "./reconciler.js";

/** Fires a compliance sweep for one slot of its schedule (the slot's time in ms). */
export type SweepHandler = (schedule: string, slot: number) => Promise<void>;

export type ControlProcessorDeps = PlannerDeps &
  ReconcilerDeps &
  PrunerDeps & { dispatcher: Dispatcher; sweep: SweepHandler };

/** Rollout-level jobs: plan, advance after a bake, the periodic reconciler and pruner, sweep firings. */
export function controlProcessor(deps: ControlProcessorDeps) {
  return async (job: Job<RolloutJobData>): Promise<void> => {
    switch (job.name) {
      case JOB.plan: {
        // A transient failure is tried again until the planning window (from the job's creation) is over.
        const lastAttempt =
          job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ||
          Date.now() - job.timestamp >= deps.planningWindowMs;
        try {
          return await planRollout(job.data.rolloutId, lastAttempt, deps);
        } catch (error) {
          // Never leave a rollout in `planning` once its plan job has no attempt left.
          if (lastAttempt) await deps.engine.failPlanning(job.data.rolloutId, planningFailure(error));
          throw error;
        }
      }
      case JOB.advance:
        return deps.dispatcher.advance(job.data.rolloutId, job.data.wave ?? 0);
      case JOB.reconcile:
        return reconcile(deps);
      case JOB.prune:
        await pruneRollouts(deps);
        return;
      case JOB.sweep:
        // A scheduler job carries its slot; a job run twice (stalled) carries the same one.
        return deps.sweep(job.data.schedule ?? "", sweepSlot(job));
      default:
        deps.log.warn({ name: job.name }, "unknown control job ignored");
    }
  };
}

export const planningFailure = (error: unknown) =>
  `planning failed: ${error instanceof Error ? error.message : String(error)}`;
