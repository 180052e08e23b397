import type { Logger } from "pino";
import { isTerminalRollout } from "../rollouts/lifecycle.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Dispatcher } from "./dispatcher.js";
import type { Queues } from "./queues.js";

export interface ReconcilerDeps {
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
 * but plan job not added, target claimed but its job gone, wave finished but not advanced) leaves
 * a rollout that stops moving. This finds those and repeats the idempotent step that was missed.
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
      if (stale) {
        deps.log.warn({ rolloutId: id }, "planning stalled; offering the plan job again");
        await deps.store.touch(id);
        await deps.dispatcher.plan(id);
      }
      continue;
    }

    const released = await releaseOrphans(deps, id, state.spec.gateway, now);
    if (isTerminalRollout(state.status)) {
      if (stored.counts.running === 0 && stored.counts.pending === 0) await deps.store.forgetActive(id);
    } else if (state.status === "running" && (stale || released > 0)) {
      deps.log.warn({ rolloutId: id, released }, "rollout stalled; offering its pending targets again");
      await deps.store.touch(id);
      await deps.dispatcher.enqueueReleased(id);
    }
  }
}

/** Running targets whose job no longer exists (failed past its stall limit, or lost) go back to pending. */
async function releaseOrphans(
  deps: ReconcilerDeps,
  id: string,
  gateway: string,
  now: number,
): Promise<number> {
  const running = await deps.store.indexesIn(id, "running", 0, Number.MAX_SAFE_INTEGER, 10_000);
  let released = 0;
  for (const [index, target] of await deps.store.targetsAt(id, running)) {
    // A fresh claim's job is certainly alive; only look at targets that have been quiet a while.
    if (target.j === undefined || now - (target.u ?? 0) < deps.staleAfterMs) continue;
    const state = await deps.queues.targets(gateway).getJobState(target.j);
    if (!LIVE_JOB_STATES.has(state) && (await deps.store.release(id, index, target.j))) released++;
  }
  return released;
}
