import type { Job } from "bullmq";
import type { Dispatcher } from "./dispatcher.js";
import { type PlannerDeps, planRollout } from "./planner.js";
import { JOB, type RolloutJobData } from "./queue-names.js";
import { type ReconcilerDeps, reconcile } from "./reconciler.js";

export type ControlProcessorDeps = PlannerDeps & ReconcilerDeps & { dispatcher: Dispatcher };

/** Rollout-level jobs: plan, advance after a bake, and the periodic reconciler. */
export function controlProcessor(deps: ControlProcessorDeps) {
  return async (job: Job<RolloutJobData>): Promise<void> => {
    switch (job.name) {
      case JOB.plan:
        return planRollout(job.data.rolloutId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1), deps);
      case JOB.advance:
        return deps.dispatcher.advance(job.data.rolloutId, job.data.wave ?? 0);
      case JOB.reconcile:
        return reconcile(deps);
      default:
        deps.log.warn({ name: job.name }, "unknown control job ignored");
    }
  };
}
