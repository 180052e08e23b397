import type { Logger } from "pino";
import type { Held, RolloutEngine } from "../engine/engine.js";
import { isTerminalRollout } from "../engine/lifecycle.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Dispatcher } from "./dispatcher.js";
import { jobIds } from "./queue-names.js";
import type { Queues } from "./queues.js";

export interface ReconcilerDeps {
  engine: RolloutEngine;
  store: RolloutStore;
  queues: Queues;
  dispatcher: Dispatcher;
  log: Logger;
  /** A rollout that has not moved for this long is re-offered its work. */
  staleAfterMs: number;
}

const LIVE_JOB_STATES = new Set(["active", "waiting", "waiting-children", "delayed", "prioritized"]);

/**
 * The safety net behind "nothing is lost": a process killed between two steps (rollout created
 * but plan job not added, plan job out of attempts, targets offered but their jobs not added,
 * a cancel's sweep cut short, wave finished but not advanced) leaves a rollout that stops
 * moving. This finds those and repeats the step that was missed; every step is idempotent.
 */
export async function reconcile(deps: ReconcilerDeps): Promise<void> {
  const now = Date.now();
  for (const id of await deps.store.activeIds()) {
    const stored = await deps.store.get(id);
    if (stored === undefined) {
      await deps.store.forgetActive(id);
      continue;
    }
    const state = parseRolloutFields(stored.fields);
    const stale = now - state.updatedAt > deps.staleAfterMs;
    if (state.status === "planning") {
      if (stale) await replan(deps, id);
      continue;
    }
    if (stored.fields.sweep !== undefined) await deps.engine.sweep(id);
    const released = stale ? await releaseOrphans(deps, id, state.spec.gateway) : 0;
    if (isTerminalRollout(state.status)) {
      const after = await deps.store.get(id);
      if (after !== undefined && after.counts.pending + after.counts.running === 0)
        await deps.store.forgetActive(id);
    } else if (state.status === "running" && (stale || released > 0)) {
      deps.log.warn({ rolloutId: id, released }, "rollout stalled; offering its pending targets again");
      await deps.store.touch(id);
      await deps.dispatcher.offer(id);
    }
  }
}

/** A stalled plan: its job failed for good (the rollout fails with why), or is gone (offered again). */
async function replan(deps: ReconcilerDeps, id: string): Promise<void> {
  const job = await deps.queues.control.getJob(jobIds.plan(id));
  const state = job ? await job.getState() : "unknown";
  if (state === "failed") {
    const reason = `planning failed: ${job?.failedReason ?? "the plan job ran out of attempts"}`;
    deps.log.warn({ rolloutId: id, reason }, "plan job failed for good; failing the rollout");
    await deps.engine.failPlanning(id, reason);
    return;
  }
  if (LIVE_JOB_STATES.has(state)) return;
  deps.log.warn({ rolloutId: id }, "planning stalled; offering the plan job again");
  await job?.remove();
  await deps.store.touch(id);
  await deps.dispatcher.plan(id);
}

/** Running targets whose job no longer exists go back to pending (or cancelled). */
async function releaseOrphans(deps: ReconcilerDeps, id: string, gateway: string): Promise<number> {
  const queue = deps.queues.targets(gateway);
  const held = await deps.store.held(id, deps.engine.options.window);
  // One look per job: a batch job holds several targets.
  const jobs = [...new Set(held.map((h) => h.jobId))];
  const states = new Map(
    await Promise.all(jobs.map(async (id) => [id, await queue.getJobState(id)] as const)),
  );
  const lost: Held[] = held.filter((h) => !LIVE_JOB_STATES.has(states.get(h.jobId) ?? "unknown"));
  return deps.engine.recall(id, lost);
}
