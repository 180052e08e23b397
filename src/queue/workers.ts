import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { RolloutChange } from "../events/change-feed.js";
import type { ApinizerClient } from "../gateway/client.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { webhookWorker } from "../webhooks/webhook-worker.js";
import { controlProcessor, type SweepHandler } from "./control-processor.js";
import type { Dispatcher } from "./dispatcher.js";
import { CONTROL_QUEUE, JOB, targetQueueName } from "./queue-names.js";
import type { Queues } from "./queues.js";
import { SpecCache } from "./spec-cache.js";
import { targetProcessor } from "./target-processor.js";

export interface WorkerDeps {
  config: Config;
  connection: Redis;
  store: RolloutStore;
  queues: Queues;
  dispatcher: Dispatcher;
  clients: ReadonlyMap<string, ApinizerClient>;
  log: Logger;
  onOutcome: (outcome: string) => void;
  onChange: (change: RolloutChange) => void;
  sweep: SweepHandler;
}

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 3600_000;

/** The reconciler looks a few times per staleness period, so a stalled rollout waits at most ~1.3× it. */
const reconcileEvery = (staleAfterMs: number) => Math.max(1000, Math.round(staleAfterMs / 3));

/** Starts the control worker, one target worker per gateway, and the reconciler's schedule. */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { config, log } = deps;
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
    }),
    { ...common, concurrency: 4 },
  );
  const workers: Worker[] = [control];
  const specs = new SpecCache(deps.store);

  for (const gateway of config.gateways.values()) {
    const queue = deps.queues.targets(gateway.name);
    if (gateway.concurrency !== undefined) await queue.setGlobalConcurrency(gateway.concurrency);
    let worker: Worker | undefined;
    worker = new Worker(
      targetQueueName(gateway.name),
      targetProcessor({ ...deps, gateways: config.gateways, specs, worker: () => worker as Worker }),
      {
        ...common,
        concurrency: config.workerConcurrency,
        // Shared by every worker process of this queue: the gateway's request rate, fleet-wide.
        limiter: { max: gateway.rateLimitPerSecond, duration: 1000 },
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
    worker.on("error", (err) => log.error({ err, queue: worker.name }, "worker error"));
    worker.on("failed", (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        log.error({ err, queue: worker.name, jobId: job.id }, "job failed after its last attempt");
      }
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
    async close() {
      // In-flight PATCHes finish (each bounded by the gateway timeout); no new job starts.
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
