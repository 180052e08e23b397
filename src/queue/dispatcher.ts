import type { RolloutChange } from "../events/change-feed.js";
import { parseRolloutFields, type RolloutState } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { JOB, jobIds } from "./queue-names.js";
import type { Queues } from "./queues.js";

const ENQUEUE_CHUNK = 1000;

/**
 * Puts rollout work on the queues and moves rollouts from wave to wave. Every method is
 * idempotent (deterministic job ids, compare-and-set scripts), so the API, any worker and the
 * reconciler may all call it again after a crash without duplicating work.
 */
export class Dispatcher {
  constructor(
    private readonly store: RolloutStore,
    private readonly queues: Queues,
    private readonly onChange: (change: RolloutChange) => void = () => {},
  ) {}

  plan(rolloutId: string): Promise<unknown> {
    return this.queues.control.add(JOB.plan, { rolloutId }, { jobId: jobIds.plan(rolloutId) });
  }

  /** The last open target of `wave` finished: bake, then advance (or advance at once). */
  async waveDone(rolloutId: string, wave: number): Promise<void> {
    const state = await this.state(rolloutId);
    if (state === undefined) return;
    const bakeMs = (state.spec.strategy?.bakeSeconds ?? 0) * 1000;
    if (bakeMs > 0 && wave < state.waveBounds.length) {
      await this.queues.control.add(
        JOB.advance,
        { rolloutId, wave },
        { jobId: jobIds.advance(rolloutId, wave), delay: bakeMs },
      );
      return;
    }
    await this.advance(rolloutId, wave, state);
  }

  /** Moves the rollout past `wave` if that wave is done; a no-op otherwise. */
  async advance(rolloutId: string, wave: number, known?: RolloutState): Promise<void> {
    const state = known ?? (await this.state(rolloutId));
    if (state === undefined) return;
    const [result, detail] = await this.store.advance(
      rolloutId,
      wave,
      state.spec.strategy?.pauseBetweenWaves ?? false,
    );
    if (result === "next") await this.enqueueReleased(rolloutId);
    else if (result === "finished" || result === "paused") {
      this.onChange({ rolloutId, status: result === "finished" ? (detail ?? "") : "paused", detail });
    }
  }

  /**
   * One job per pending target of the released waves, in chunks so neither Redis nor the heap
   * holds a 100k-element bulk. A wave with nothing left to send moves on at once.
   */
  async enqueueReleased(rolloutId: string): Promise<number> {
    const state = await this.state(rolloutId);
    if (state?.status !== "running") return 0;
    const bound = state.waveBounds[state.wave - 1] ?? 0;
    const queue = this.queues.targets(state.spec.gateway);
    let offered = 0;
    let from = 0;
    for (;;) {
      const indexes = await this.store.indexesIn(rolloutId, "pending", from, bound, ENQUEUE_CHUNK);
      if (indexes.length === 0) break;
      await queue.addBulk(
        indexes.map((index) => ({
          name: JOB.target,
          data: { r: rolloutId, i: Number(index) },
          opts: { jobId: jobIds.target(rolloutId, state.gen, Number(index)) },
        })),
      );
      offered += indexes.length;
      from = Number(indexes.at(-1)) + 1;
    }
    if (offered === 0) await this.advance(rolloutId, state.wave, state);
    return offered;
  }

  private async state(rolloutId: string): Promise<RolloutState | undefined> {
    const stored = await this.store.get(rolloutId);
    return stored && parseRolloutFields(stored.fields);
  }
}
