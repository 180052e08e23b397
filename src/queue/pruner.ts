import type { Logger } from "pino";
import { isTerminalRollout } from "../engine/lifecycle.js";
import type { RolloutStore } from "../store/rollout-store.js";

const BATCH = 200;
const DAY_MS = 24 * 3600 * 1000;

export interface PrunerDeps {
  store: RolloutStore;
  log: Logger;
  /** Finished rollouts older than this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
}

/**
 * Deletes finished rollouts (their targets included) created more than `retentionDays` ago, so
 * Redis holds a bounded history however many nightly sweeps run. Unfinished ones are kept,
 * whatever their age. Returns how many were deleted.
 */
export async function pruneRollouts(deps: PrunerDeps, now = Date.now()): Promise<number> {
  if (deps.retentionDays <= 0) return 0;
  const cutoff = now - deps.retentionDays * DAY_MS;
  let deleted = 0;
  let after: string | undefined;
  for (;;) {
    const ids = await deps.store.idsCreatedBefore(cutoff, BATCH, after);
    if (ids.length === 0) break;
    after = ids.at(-1);
    for (const id of ids) {
      const status = await deps.store.getField(id, "status");
      if (status !== null && !isTerminalRollout(status)) continue;
      await deps.store.delete(id);
      deleted++;
    }
  }
  if (deleted > 0) deps.log.info({ deleted, retentionDays: deps.retentionDays }, "old rollouts deleted");
  return deleted;
}
