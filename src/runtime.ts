import type { Server } from "node:http";
import type { Logger } from "pino";
import { auditChanges } from "./audit/audit-changes.js";
import { AuditLog } from "./audit/audit-log.js";
import type { Config } from "./config/config.js";
import { ChangeFeed } from "./events/change-feed.js";
import { ApinizerClient } from "./gateway/client.js";
import { type AppDeps, createApp } from "./http/app.js";
import { auditRoutes } from "./http/audit-routes.js";
import { openApiRoute } from "./http/openapi.js";
import { opsRoutes } from "./http/ops-routes.js";
import { QUEUE_BOARD_PATH, queueBoard } from "./http/queue-board.js";
import { reportRoutes } from "./http/report-routes.js";
import { rolloutRoutes } from "./http/rollout-routes.js";
import type { Route } from "./http/route.js";
import { scheduleRoutes } from "./http/schedule-routes.js";
import { createLogger } from "./log.js";
import { registerLiveGauges } from "./metrics/live-gauges.js";
import { createMetrics, gatewayObserver, type Metrics } from "./metrics/registry.js";
import { Dispatcher } from "./queue/dispatcher.js";
import { Queues } from "./queue/queues.js";
import { queueConnection, requestConnection, workerConnection } from "./queue/redis-connections.js";
import { type RunningWorkers, startWorkers } from "./queue/workers.js";
import { isTerminalRollout } from "./rollouts/lifecycle.js";
import { scheduleService } from "./schedules/schedule-service.js";
import { ScheduleStore } from "./schedules/schedule-store.js";
import { sweepJob } from "./schedules/sweep.js";
import { sweepEvents } from "./schedules/sweep-events.js";
import { restoreSweepSchedulers } from "./schedules/sweep-scheduler.js";
import { rolloutService } from "./service/rollout-service.js";
import { RolloutStore } from "./store/rollout-store.js";
import { VERSION } from "./version.js";
import { type Notify, notifier } from "./webhooks/notifier.js";
import { webhookChanges } from "./webhooks/webhook-changes.js";

export type Mode = "all" | "api" | "worker";

export interface Runtime {
  config: Config;
  /** Rollout status changes made by this process. */
  changes: ChangeFeed;
  /** The HTTP routes this process serves. */
  routes: readonly Route[];
  /** The audit trail: rollout changes are recorded here already; record other calls yourself. */
  audit: AuditLog;
  /** Queues a webhook delivery to every webhook subscribed to the event. */
  notify: Notify;
  log: Logger;
  metrics: Metrics;
  server?: Server;
  workers?: RunningWorkers;
  /** The address the API listens on (when it runs). */
  url?: string;
  stop(): Promise<void>;
}

/** Wires one process: API, workers or both, against one Redis and one queue prefix. */
export async function startRuntime(
  config: Config,
  mode: Mode,
  log = createLogger(config.logLevel),
): Promise<Runtime> {
  const metrics = createMetrics();
  const changes = new ChangeFeed(log)
    .on((change) => log.info(change, "rollout status changed"))
    .on((change) => {
      if (isTerminalRollout(change.status)) metrics.rolloutsFinished.inc({ status: change.status });
    });
  const onChange = changes.emit;
  // Workers block on Redis and must ride out outages; request handlers must fail fast instead.
  const workerRedis = mode === "api" ? undefined : workerConnection(config.redisUrl, log);
  const requestRedis = requestConnection(config.redisUrl, log);
  const queueRedis = workerRedis ?? queueConnection(config.redisUrl, log);
  const queues = new Queues(queueRedis, config.queuePrefix, config.gateways.keys());
  const clients = new Map(
    [...config.gateways.values()].map((g) => [g.name, new ApinizerClient(g, gatewayObserver(metrics))]),
  );
  // Written on the queue connection, which rides out a Redis blip instead of dropping the entry.
  const feedStore = new RolloutStore(queueRedis, config.queuePrefix);
  const audit = new AuditLog(queueRedis, feedStore.keys.audit, config.auditMaxLen);
  const webhooks = notifier({ webhooks: config.webhooks, queues, backoffMs: config.webhookBackoffMs });
  changes.on(auditChanges(audit)).on(webhookChanges(webhooks, feedStore));
  const routes: Route[] = opsRoutes({ redis: requestRedis, metrics, metricsToken: config.metricsToken });
  const runtime: Runtime = {
    config,
    log,
    metrics,
    changes,
    audit,
    notify: webhooks.notify,
    routes,
    stop: async () => {},
  };

  // Rollouts are created by API requests and, for compliance sweeps, by workers: one use case for both.
  const rolloutsOn = (store: RolloutStore) =>
    rolloutService({
      store,
      dispatcher: new Dispatcher(store, queues, onChange),
      gateways: config.gateways,
      clients,
      onCreated: (dryRun) => metrics.rolloutsCreated.inc({ dry_run: String(dryRun) }),
      onChange,
    });
  const sweepEventSink = sweepEvents({ audit, notify: webhooks.notify, log });

  if (workerRedis !== undefined) {
    const store = new RolloutStore(workerRedis, config.queuePrefix);
    const schedules = new ScheduleStore(workerRedis, config.queuePrefix);
    runtime.workers = await startWorkers({
      config,
      connection: workerRedis,
      store,
      queues,
      dispatcher: new Dispatcher(store, queues, onChange),
      clients,
      log,
      onOutcome: (outcome) => metrics.targetsProcessed.inc({ outcome }),
      onChange,
      sweep: sweepJob({ store: schedules, rollouts: rolloutsOn(store), events: sweepEventSink }, log),
    });
    await restoreSweepSchedulers(schedules, queues.control);
  }

  const mounts: NonNullable<AppDeps["mounts"]> = [];
  if (mode !== "worker") {
    const store = new RolloutStore(requestRedis, config.queuePrefix);
    registerLiveGauges({ metrics, store, queues, ping: () => requestRedis.ping() });
    const service = rolloutsOn(store);
    routes.push(...rolloutRoutes(service));
    routes.push(
      ...scheduleRoutes(
        scheduleService({
          store: new ScheduleStore(requestRedis, config.queuePrefix),
          rollouts: service,
          events: sweepEventSink,
          gateways: config.gateways,
          control: queues.control,
          maxSchedules: config.maxSchedules,
          minIntervalSeconds: config.scheduleMinIntervalSeconds,
        }),
      ),
    );
    routes.push(openApiRoute(() => routes, VERSION));
    mounts.push({ path: QUEUE_BOARD_PATH, role: "admin", router: queueBoard(queues) });
    routes.push(
      ...reportRoutes({ rollout: service.get, store }),
      // Read on the request connection, so a Redis outage answers 503 at once.
      ...auditRoutes(new AuditLog(requestRedis, store.keys.audit, config.auditMaxLen)),
    );
  }

  // Workers serve only health and metrics, and only where asked (several may share a host).
  const port = mode === "worker" ? config.workerMetricsPort : config.port;
  if (port !== undefined) {
    const server = createApp({ config, log, metrics, routes, mounts }).listen(port, config.host);
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    const address = server.address();
    runtime.server = server;
    if (typeof address === "object" && address) runtime.url = `http://127.0.0.1:${address.port}`;
    log.info({ url: runtime.url, mode }, mode === "worker" ? "worker metrics listening" : "API listening");
  }

  runtime.stop = async () => {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
    const graceful = (async () => {
      if (runtime.server) {
        const server = runtime.server;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
      }
      await runtime.workers?.close();
    })();
    // Bounded: a gateway that never answers must not keep the process from exiting.
    await Promise.race([graceful, deadline]);
    runtime.server?.closeAllConnections();
    await Promise.allSettled([queues.close(), ...[...clients.values()].map((c) => c.close())]);
    for (const connection of new Set([workerRedis, queueRedis, requestRedis])) connection?.disconnect();
  };
  return runtime;
}
