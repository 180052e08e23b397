import type { RolloutEngine } from "../engine/engine.js";
import type { GatewayConfig } from "../gateway/types.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { JOB, type JobTarget, jobIds, PLANNING_BACKOFF, type TargetJobData } from "./queue-names.js";
import type { Queues } from "./queues.js";
import type { SpecCache } from "./spec-cache.js";

/**
 * Puts rollout work on the queues and moves rollouts from wave to wave. Every method is safe to
 * repeat (deterministic job ids, compare-and-set scripts), so the API, any worker and the
 * reconciler may all call it again after a crash without duplicating work.
 */
export class Dispatcher {
  constructor(
    private readonly engine: RolloutEngine,
    private readonly store: RolloutStore,
    private readonly queues: Queues,
    private readonly specs: SpecCache,
    private readonly gateways: ReadonlyMap<string, GatewayConfig>,
  ) {}

  plan(rolloutId: string): Promise<unknown> {
    // Planning rides out a manager blip, bounded by the planning window (ENFORCER_PLANNING_RETRY_SECONDS)
    // rather than by this count; the control worker spaces the tries (workers.ts).
    return this.queues.control.add(
      JOB.plan,
      { rolloutId },
      { jobId: jobIds.plan(rolloutId), attempts: 100, backoff: { type: PLANNING_BACKOFF } },
    );
  }

  /** The last open target of `wave` finished: bake, then advance (or advance at once). */
  async waveDone(rolloutId: string, wave: number): Promise<void> {
    const spec = await this.specs.get(rolloutId);
    if (spec === undefined) return;
    const bakeMs = (spec.strategy?.bakeSeconds ?? 0) * 1000;
    const waves = JSON.parse((await this.store.getField(rolloutId, "waveBounds")) ?? "[]") as number[];
    if (bakeMs > 0 && wave < waves.length) {
      await this.queues.control.add(
        JOB.advance,
        { rolloutId, wave },
        { jobId: jobIds.advance(rolloutId, wave), delay: bakeMs },
      );
      return;
    }
    await this.advance(rolloutId, wave);
  }

  /** Moves the rollout past `wave` if that wave is done; a no-op otherwise. */
  async advance(rolloutId: string, wave: number): Promise<void> {
    const spec = await this.specs.get(rolloutId);
    if (spec === undefined) return;
    const result = await this.engine.advance(rolloutId, wave, spec.strategy?.pauseBetweenWaves ?? false);
    if (result.kind === "next") await this.offer(rolloutId);
  }

  /**
   * Fills the rollout's dispatch window with jobs for its pending targets. When nothing is left
   * to offer, the wave may be done: advancing is then checked (a no-op while targets are open).
   */
  async offer(rolloutId: string): Promise<number> {
    const spec = await this.specs.get(rolloutId);
    if (spec === undefined) return 0;
    const gateway = this.gateways.get(spec.gateway);
    const offered = await this.engine.offer(rolloutId, gateway?.targetsPerJob ?? 1);
    if (offered.length === 0) {
      const wave = Number((await this.store.getField(rolloutId, "wave")) ?? 0);
      if (wave > 0) await this.advance(rolloutId, wave);
      return 0;
    }
    // Targets sharing a job id travel in one job (batch mode); Bull Board shows which.
    const jobs = new Map<string, TargetJobData>();
    for (const { index, jobId, identity, attempts } of offered) {
      const target: JobTarget = { i: index, p: identity.p, n: identity.n, a: attempts };
      if (identity.v !== undefined) target.v = identity.v;
      if (identity.k !== undefined) target.k = identity.k;
      const job = jobs.get(jobId) ?? { r: rolloutId, t: [] };
      job.t.push(target);
      jobs.set(jobId, job);
    }
    await this.queues
      .targets(spec.gateway)
      .addBulk([...jobs].map(([jobId, data]) => ({ name: JOB.target, data, opts: { jobId } })));
    return offered.length;
  }

  /**
   * Takes the rollout's queued jobs off the queue (pause, cancel), so no stale job waits there or
   * takes a slot of the gateway's rate limit; their targets go back to pending (or cancelled).
   * A job a worker already started cannot be removed: it finishes, or hands its target back.
   */
  async recall(rolloutId: string): Promise<number> {
    const spec = await this.specs.get(rolloutId);
    if (spec === undefined) return 0;
    const queue = this.queues.targets(spec.gateway);
    const held = await this.store.held(rolloutId, this.engine.options.window);
    // One removal per job (a batch job holds several targets); BullMQ refuses (throws) to remove
    // a job a worker holds the lock of.
    const jobs = [...new Set(held.map((h) => h.jobId))];
    const removed = new Set(
      (
        await Promise.all(
          jobs.map((id) =>
            queue.remove(id).then(
              (n) => (n === 1 ? [id] : []),
              () => [],
            ),
          ),
        )
      ).flat(),
    );
    return this.engine.recall(
      rolloutId,
      held.filter((h) => removed.has(h.jobId)),
    );
  }
}
