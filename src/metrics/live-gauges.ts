import { Gauge } from "prom-client";
import { isTerminalRollout, ROLLOUT_STATUSES, TARGET_STATUSES } from "../engine/lifecycle.js";
import { queueLabel } from "../queue/queue-names.js";
import type { Queues } from "../queue/queues.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { RateWindow } from "./rate-window.js";
import type { Metrics } from "./registry.js";

/** Finished rollouts still shown per rollout, so a dashboard sees how the last ones ended. */
const RECENT_FINISHED = 5;
const DONE_STATUSES = ["succeeded", "failed", "skipped", "cancelled", "planned"] as const;

export interface LiveGaugeDeps {
  metrics: Metrics;
  store: RolloutStore;
  queues: Queues;
  ping: () => Promise<unknown>;
}

/**
 * Point-in-time gauges read from Redis on each scrape, so whichever API process is scraped
 * reports the truth, whichever worker did the work. Labels stay bounded: queues, statuses, and
 * only the unfinished rollouts plus the last few finished ones.
 */
export function registerLiveGauges({ metrics, store, queues, ping }: LiveGaugeDeps): void {
  const registers = [metrics.registry];
  const rates = new RateWindow();

  // prom-client renders metrics concurrently: every gauge waits for the same single pass over Redis.
  let pass: Promise<void> | undefined;
  const collect = () => {
    pass ??= refresh().finally(() => {
      pass = undefined;
    });
    return pass;
  };
  const redisUp = new Gauge({
    name: "enforcer_redis_up",
    help: "1 when Redis answers this process",
    registers,
    collect,
  });
  const queueJobs = new Gauge({
    name: "enforcer_queue_jobs",
    help: "BullMQ jobs by queue and state",
    labelNames: ["queue", "state"] as const,
    registers,
    collect,
  });
  const rollouts = new Gauge({
    name: "enforcer_rollouts",
    help: "Unfinished rollouts by status (finished ones: enforcer_rollouts_finished_total)",
    labelNames: ["status"] as const,
    registers,
    collect,
  });
  const rolloutTargets = new Gauge({
    name: "enforcer_rollout_targets",
    help: "Targets of unfinished and recently finished rollouts, by status",
    labelNames: ["rollout", "status"] as const,
    registers,
    collect,
  });
  const progress = new Gauge({
    name: "enforcer_rollout_progress_ratio",
    help: "Share of a rollout's targets that reached a terminal status",
    labelNames: ["rollout"] as const,
    registers,
    collect,
  });
  const eta = new Gauge({
    name: "enforcer_rollout_eta_seconds",
    help: "Estimated seconds until a running rollout finishes, from its recent completion rate",
    labelNames: ["rollout"] as const,
    registers,
    collect,
  });

  // One pass over Redis per scrape fills every gauge.
  async function refresh(): Promise<void> {
    for (const gauge of [queueJobs, rollouts, rolloutTargets, progress, eta]) gauge.reset();
    try {
      await ping();
    } catch {
      redisUp.set(0);
      return;
    }
    redisUp.set(1);
    for (const queue of queues.all()) {
      const counts = await queue.getJobCounts();
      for (const [state, n] of Object.entries(counts))
        queueJobs.set({ queue: queueLabel(queue.name), state }, n);
    }

    const active = await store.activeIds();
    const recent = (await store.listIds(RECENT_FINISHED * 4)).filter((id) => !active.includes(id));
    const byStatus = Object.fromEntries(
      ROLLOUT_STATUSES.filter((s) => !isTerminalRollout(s)).map((s) => [s, 0]),
    );
    let finishedShown = 0;
    const now = Date.now();
    for (const stored of await store.getMany([...active, ...recent])) {
      if (stored === undefined) continue;
      const { id } = stored;
      const state = parseRolloutFields(stored.fields);
      const finished = isTerminalRollout(state.status);
      if (finished && finishedShown++ >= RECENT_FINISHED) continue;
      if (!finished) byStatus[state.status] = (byStatus[state.status] ?? 0) + 1;
      for (const status of TARGET_STATUSES)
        rolloutTargets.set({ rollout: id, status }, stored.counts[status]);
      const done = DONE_STATUSES.reduce((sum, s) => sum + stored.counts[s], 0);
      progress.set({ rollout: id }, stored.counts.total > 0 ? done / stored.counts.total : finished ? 1 : 0);
      const rate = rates.observe(id, done, now);
      if (state.status === "running" && rate !== undefined && rate > 0) {
        eta.set({ rollout: id }, (stored.counts.total - done) / rate);
      }
    }
    for (const [status, n] of Object.entries(byStatus)) rollouts.set({ status }, n);
    rates.forgetExcept(new Set(active));
  }
}
