import { Worker } from "bullmq";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { RolloutEngine } from "../engine/engine.js";
import type { ApinizerClient } from "../gateway/client.js";
import type { RedisClient } from "../store/redis-client.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { webhookWorker } from "../webhooks/webhook-worker.js";
import type { GatewayRates } from "./adaptive-rate.js";
import { controlProcessor, planningFailure, type SweepHandler } from "./control-processor.js";
import type { Dispatcher } from "./dispatcher.js";
import { GatewayLimiter } from "./gateway-limiter.js";
import { OutageBreaker } from "./outage-breaker.js";
import { CONTROL_QUEUE, JOB, targetQueueName } from "./queue-names.js";
import type { Queues } from "./queues.js";
import type { OutageLog } from "./redis-connections.js";
import { Semaphore } from "./semaphore.js";
import type { SpecCache } from "./spec-cache.js";
import { StatusCache } from "./status-cache.js";
import { targetProcessor } from "./target-processor.js";

export interface WorkerDeps {
  config: Config;
  connection: RedisClient;
  engine: RolloutEngine;
  store: RolloutStore;
  specs: SpecCache;
  queues: Queues;
  dispatcher: Dispatcher;
  clients: ReadonlyMap<string, ApinizerClient>;
  log: Logger;
  outages: OutageLog;
  sweep: SweepHandler;
  /** The adaptive rate of each gateway, which this process's calls report to. */
  rates: GatewayRates;
}

export interface RunningWorkers {
  workers: Worker[];
  breaker: OutageBreaker;
  /** Stops taking jobs; in-flight ones get until `deadline` (epoch ms), then are aborted. */
  close(deadline: number): Promise<void>;
}

const PRUNE_EVERY_MS = 3600_000;

/** Plan jobs (backoff PLANNING_BACKOFF) retry at 1, 2, 4, ... s, then every 15 s: a manager back from an outage is planned soon after. */
const planningBackoff = (attemptsMade: number) => Math.min(15_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));

/** The reconciler looks a few times per staleness period, so a stalled rollout waits at most ~1.3× it. */
const reconcileEvery = (staleAfterMs: number) => Math.max(1000, Math.round(staleAfterMs / 3));

/** Starts the control worker, one target worker per gateway, and the reconciler's schedule. */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { config, log } = deps;
  const shutdown = new AbortController();
  // A killed worker's jobs come back after lockDuration; a job may stall a few times before BullMQ gives up.
  const common = {
    connection: deps.connection,
    prefix: config.queuePrefix,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.lockDurationMs,
    maxStalledCount: 3,
  };
  const control = new Worker(
    CONTROL_QUEUE,
    controlProcessor({
      ...deps,
      gateways: config.gateways,
      staleAfterMs: config.reconcileAfterMs,
      retentionDays: config.retentionDays,
      planningWindowMs: config.planningRetrySeconds * 1000,
    }),
    { ...common, concurrency: 4, settings: { backoffStrategy: planningBackoff } },
  );
  const workers: Worker[] = [control];
  const statuses = new StatusCache(deps.store);
  const breaker = new OutageBreaker({ ...deps, statuses, gateways: config.gateways });

  for (const gateway of config.gateways.values()) {
    const perJob = gateway.targetsPerJob ?? 1;
    const queue = deps.queues.targets(gateway.name);
    // Per proxy, BullMQ's queue-wide limits are the gateway's; a batch job holds several proxies,
    // so the gateway limiter counts them one by one instead.
    if (perJob === 1 && gateway.concurrency !== undefined)
      await queue.setGlobalConcurrency(gateway.concurrency);
    // Per proxy and adaptive, the queue's limit lives in BullMQ's queue meta (read by every worker
    // on each fetch) and follows the allowed rate; otherwise no such limit may linger from before.
    const adaptiveQueue = perJob === 1 && gateway.adaptive !== undefined;
    if (adaptiveQueue) await deps.rates.start(gateway.name);
    else await queue.removeGlobalRateLimit();
    const batch =
      perJob > 1
        ? {
            limiter: new GatewayLimiter(deps.connection, config.queuePrefix, gateway),
            slots: new Semaphore(config.workerConcurrency),
          }
        : undefined;
    let worker: Worker | undefined;
    worker = new Worker(
      targetQueueName(gateway.name),
      targetProcessor({
        ...deps,
        statuses,
        gateways: config.gateways,
        shutdown: shutdown.signal,
        breaker,
        worker: () => worker as Worker,
        ...(batch ? { batch } : {}),
      }),
      {
        ...common,
        // Batch: enough jobs active that the call slots stay busy while a job waits on its slowest proxy.
        concurrency: batch
          ? Math.max(2, Math.ceil((2 * config.workerConcurrency) / perJob))
          : config.workerConcurrency,
        // Shared by every worker process of this queue: the gateway's request rate, fleet-wide (a
        // worker's own limiter duration would override the adaptive one in the queue meta).
        ...(batch || adaptiveQueue ? {} : { limiter: { max: gateway.rateLimitPerSecond, duration: 1000 } }),
      },
    );
    workers.push(worker);
  }
  if (config.webhooks.length > 0) {
    workers.push(
      webhookWorker({
        webhooks: config.webhooks,
        timeoutMs: config.webhookTimeoutMs,
        connection: deps.connection,
        prefix: config.queuePrefix,
        log,
      }),
    );
  }
  for (const worker of workers) {
    worker.on("error", (err) => deps.outages.failing(`worker ${worker.name}`, err));
    worker.on("failed", (job, err) => {
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      log.error({ err, queue: worker.name, jobId: job.id }, "job failed after its last attempt");
      // A plan job that ran out of attempts (a kill during the last one included) ends its rollout.
      if (worker === control && job.name === JOB.plan)
        void deps.engine.failPlanning(job.data.rolloutId, planningFailure(err)).catch(() => {});
    });
  }
  await deps.queues.control.upsertJobScheduler(
    JOB.prune,
    { every: PRUNE_EVERY_MS },
    { name: JOB.prune, data: { rolloutId: "" }, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
  await deps.queues.control.upsertJobScheduler(
    JOB.reconcile,
    { every: reconcileEvery(config.reconcileAfterMs) },
    { name: JOB.reconcile, data: { rolloutId: "" }, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
  log.info(
    { gateways: [...config.gateways.keys()], concurrency: config.workerConcurrency },
    "workers started",
  );

  return {
    workers,
    breaker,
    async close(deadline) {
      breaker.close();
      // No new job starts; in-flight PATCHes may finish until the deadline.
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timer = new Promise<"late">((resolve) =>
        setTimeout(() => resolve("late"), Math.max(0, deadline - Date.now())).unref(),
      );
      if ((await Promise.race([graceful, timer])) !== "late") return;
      // Out of time: abort the calls (their jobs stay held; BullMQ hands them on when the locks expire).
      log.warn("shutdown deadline reached: aborting in-flight gateway calls");
      shutdown.abort(new Error("shutting down"));
      await Promise.race([
        Promise.all(workers.map((w) => w.close(true))),
        new Promise((resolve) => setTimeout(resolve, 500).unref()),
      ]);
    },
  };
}
