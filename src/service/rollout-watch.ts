import { setTimeout as sleep } from "node:timers/promises";
import { isTerminalRollout } from "../rollouts/lifecycle.js";
import type { RolloutView } from "./rollout-view.js";

export type WatchEvent = { kind: "rollout" | "end"; rollout: RolloutView } | { kind: "heartbeat" };

export interface WatchOptions {
  /** How often Redis is read: the most events a second a watcher gets. */
  intervalMs?: number;
  heartbeatMs?: number;
}

/** The parts of a rollout whose change is worth an event (not `updatedAt`-style noise). */
const fingerprint = (r: RolloutView) =>
  JSON.stringify([r.status, r.counts, r.wave, r.pausedReason, r.failureReason, r.ranAfterPause]);

/**
 * Snapshots of a rollout whenever it changes, ending with its terminal status. It reads the
 * rollout from Redis, so changes made by workers on any machine reach every API process.
 */
export async function* watchRollout(
  read: () => Promise<RolloutView>,
  signal: AbortSignal,
  { intervalMs = 250, heartbeatMs = 15_000 }: WatchOptions = {},
): AsyncGenerator<WatchEvent> {
  let last = "";
  let quietSince = Date.now();
  while (!signal.aborted) {
    const rollout = await read();
    if (isTerminalRollout(rollout.status) && rollout.counts.running === 0) {
      yield { kind: "end", rollout };
      return;
    }
    const now = Date.now();
    const current = fingerprint(rollout);
    if (current !== last) {
      last = current;
      quietSince = now;
      yield { kind: "rollout", rollout };
    } else if (now - quietSince >= heartbeatMs) {
      quietSince = now;
      yield { kind: "heartbeat" };
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
}
