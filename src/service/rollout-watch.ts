import { setTimeout as sleep } from "node:timers/promises";
import { isTerminalRollout } from "../engine/lifecycle.js";
import type { RolloutView } from "./rollout-view.js";

export type WatchEvent = { kind: "rollout" | "end"; rollout: RolloutView } | { kind: "heartbeat" };

export interface WatchOptions {
  /** The most reads a second one watcher causes, however many events arrive. */
  minIntervalMs?: number;
  heartbeatMs?: number;
  /** Re-read this often without events too (a claim writes no event; the tail may be down). */
  rereadMs?: number;
}

/** Calls the listener after each event of the rollout; returns the unsubscribe function. */
export type Subscribe = (listener: () => void) => () => void;

/** The parts of a rollout whose change is worth an event (not `updatedAt`-style noise). */
const fingerprint = (r: RolloutView) =>
  JSON.stringify([r.status, r.counts, r.wave, r.pausedReason, r.failureReason, r.ranAfterPause]);

/**
 * Snapshots of a rollout whenever it changes, ending with its terminal status. It wakes on the
 * rollout's outbox events (any process's), so changes made by workers on any machine reach every
 * API process without polling Redis per client.
 */
export async function* watchRollout(
  read: () => Promise<RolloutView>,
  subscribe: Subscribe,
  signal: AbortSignal,
  { minIntervalMs = 250, heartbeatMs = 15_000, rereadMs = 5_000 }: WatchOptions = {},
): AsyncGenerator<WatchEvent> {
  let dirty = true;
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe(() => {
    dirty = true;
    wake?.();
  });
  let last = "";
  let lastRead = 0;
  let quietSince = Date.now();
  try {
    while (!signal.aborted) {
      if (dirty || Date.now() - lastRead >= rereadMs) {
        const wait = lastRead + minIntervalMs - Date.now();
        if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
        dirty = false;
        lastRead = Date.now();
        const rollout = await read();
        if (isTerminalRollout(rollout.status) && rollout.counts.running === 0) {
          yield { kind: "end", rollout };
          return;
        }
        const current = fingerprint(rollout);
        if (current !== last) {
          last = current;
          quietSince = Date.now();
          yield { kind: "rollout", rollout };
        }
      }
      if (Date.now() - quietSince >= heartbeatMs) {
        quietSince = Date.now();
        yield { kind: "heartbeat" };
      }
      if (dirty) continue;
      const timeout = Math.max(
        0,
        Math.min(rereadMs - (Date.now() - lastRead), heartbeatMs - (Date.now() - quietSince)),
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal.addEventListener("abort", wake, { once: true });
      });
      if (wake) signal.removeEventListener("abort", wake);
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
