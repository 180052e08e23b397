import type { Server } from "node:http";
import type { Logger } from "pino";
import { AuditLog } from "./audit/audit-log.js";
import type { Config } from "./config/config.js";
import { RolloutEngine } from "./engine/engine.js";
import { eventProjections } from "./events/event-projections.js";
import { EventTail } from "./events/event-tail.js";
import { startOutboxConsumer } from "./events/outbox-consumer.js";
import { ApinizerClient } from "./gateway/client.js";
import { type AppDeps, createApp } from "./http/app.js";
import { auditRoutes } from "./http/audit-routes.js";
import { CONSOLE_PATH, consoleRouter, whoamiRoute } from "./http/console.js";
import { gatewayRoutes } from "./http/gateway-routes.js";
import { openApiRoute } from "./http/openapi.js";
import { opsRoutes } from "./http/ops-routes.js";
import { policyRoutes } from "./http/policy-routes.js";
import { QUEUE_BOARD_PATH, queueBoard } from "./http/queue-board.js";
import { reportRoutes } from "./http/report-routes.js";
import { rolloutRoutes } from "./http/rollout-routes.js";
import type { Route } from "./http/route.js";
import { scheduleRoutes } from "./http/schedule-routes.js";
import { createLogger } from "./log.js";
import { registerAllowedRateGauge } from "./metrics/allowed-rate-gauge.js";
import { registerLiveGauges } from "./metrics/live-gauges.js";
import { createMetrics, gatewayObserver, type Metrics } from "./metrics/registry.js";
import { policyService } from "./named-policies/policy-service.js";
import { PolicyStore } from "./named-policies/policy-store.js";
import { GatewayRates } from "./queue/adaptive-rate.js";
import { Dispatcher } from "./queue/dispatcher.js";
import type { OutageBreaker } from "./queue/outage-breaker.js";
import { Queues } from "./queue/queues.js";
import { OutageLog, redisConnection } from "./queue/redis-connections.js";
import { SpecCache } from "./queue/spec-cache.js";
import { type RunningWorkers, startWorkers } from "./queue/workers.js";
import { scheduleService } from "./schedules/schedule-service.js";
import { ScheduleStore } from "./schedules/schedule-store.js";
import { sweepJob } from "./schedules/sweep.js";
import { restoreSweepSchedulers } from "./schedules/sweep-scheduler.js";
import { rolloutService } from "./service/rollout-service.js";
import { RolloutStore } from "./store/rollout-store.js";
import { VERSION } from "./version.js";
import { type Notify, notifier } from "./webhooks/notifier.js";

export type Mode = "all" | "api" | "worker";

export interface Runtime {
  config: Config;
  /** The HTTP routes this process serves. */
  routes: readonly Route[];
  /** The audit trail: rollout changes reach it from the outbox; record other calls yourself. */
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
  const outages = new OutageLog(log);
  // Workers block on Redis and must ride out outages; request handlers must fail fast instead.
  const workerRedis = mode === "api" ? undefined : redisConnection(config.redis, "worker", outages);
  const requestRedis = redisConnection(config.redis, "request", outages);
  const queueRedis = workerRedis ?? redisConnection(config.redis, "queue", outages);
  const queues = new Queues(queueRedis, config.queuePrefix, config.gateways.keys());
  // Every gateway call's answer feeds its gateway's adaptive rate, whichever process made it, and,
  // where workers run, their outage breaker (set once they start).
  const rates = new GatewayRates(queueRedis, config.queuePrefix, config.gateways, queues, log);
  let breaker: OutageBreaker | undefined;
  const observer = gatewayObserver(metrics, (gateway, code, seconds) => {
    rates.observe(gateway, code, seconds);
    breaker?.observe(gateway, code, seconds);
  });
  const clients = new Map(
    [...config.gateways.values()].map((g) => [g.name, new ApinizerClient(g, observer)]),
  );
  const engineOptions = { eventsMaxLen: config.eventsMaxLen, window: config.dispatchWindow };
  // Steps and projections run on a connection that rides out a Redis blip instead of failing.
  const queueStore = new RolloutStore(queueRedis, config.queuePrefix);
  const queueEngine = new RolloutEngine(queueRedis, queueStore.keys, engineOptions);
  const specs = new SpecCache(queueStore);
  const audit = new AuditLog(queueRedis, queueStore.keys.audit, config.auditMaxLen);
  const webhooks = notifier({ webhooks: config.webhooks, queues, backoffMs: config.webhookBackoffMs });
  // Every process takes its share of the outbox: audit entries, webhooks, counters and logs.
  // Rollouts are created by API requests, by workers for compliance sweeps, and by the outbox
  // for deploy phases: one dispatcher for all.
  const dispatcher = new Dispatcher(queueEngine, queueStore, queues, specs, config.gateways);
  const onCreated = (dryRun: boolean) => metrics.rolloutsCreated.inc({ dry_run: String(dryRun) });
  const consumer = startOutboxConsumer({
    redis: redisConnection(config.redis, "worker", outages, "outbox"),
    streams: queueStore.keys.eventStreams,
    group: "projections",
    handle: eventProjections({
      audit,
      webhooks,
      store: queueStore,
      metrics,
      log,
      gateways: config.gateways,
      phases: { engine: queueEngine, store: queueStore, dispatcher, onCreated: () => onCreated(false) },
    }),
    log,
    claimIdleMs: config.eventClaimIdleMs,
  });
  const routes: Route[] = opsRoutes({ redis: requestRedis, metrics, metricsToken: config.metricsToken });
  const runtime: Runtime = {
    config,
    log,
    metrics,
    audit,
    notify: webhooks.notify,
    routes,
    stop: async () => {},
  };

  // Rollouts are created by API requests and, for compliance sweeps, by workers: one use case for both.
  const rolloutsOn = (store: RolloutStore, engine: RolloutEngine, policies: PolicyStore, tail?: EventTail) =>
    rolloutService({
      engine,
      store,
      policies,
      dispatcher,
      gateways: config.gateways,
      clients,
      onCreated,
      policyStrict: config.policyStrict,
      ...(tail ? { subscribe: (id: string, listener: () => void) => tail.subscribe(id, listener) } : {}),
    });

  if (workerRedis !== undefined) {
    const store = new RolloutStore(workerRedis, config.queuePrefix);
    const engine = new RolloutEngine(workerRedis, store.keys, engineOptions);
    const schedules = new ScheduleStore(workerRedis, config.queuePrefix, config.eventsMaxLen);
    runtime.workers = await startWorkers({
      config,
      connection: workerRedis,
      engine,
      store,
      specs,
      queues,
      dispatcher,
      clients,
      log,
      outages,
      rates,
      sweep: sweepJob(
        {
          store: schedules,
          rollouts: rolloutsOn(store, engine, new PolicyStore(workerRedis, config.queuePrefix)),
        },
        log,
      ),
    });
    breaker = runtime.workers.breaker;
    await restoreSweepSchedulers(schedules, queues.control);
  }

  let tail: EventTail | undefined;
  // The request connection fails fast instead of queueing: give it a moment to connect, so the
  // first requests after start-up are not refused (a Redis that is down still lets the API start).
  if (requestRedis.status !== "ready") {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      requestRedis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  const mounts: NonNullable<AppDeps["mounts"]> = [];
  if (mode !== "worker") {
    const store = new RolloutStore(requestRedis, config.queuePrefix);
    registerLiveGauges({ metrics, store, queues, ping: () => requestRedis.ping() });
    registerAllowedRateGauge(metrics, rates);
    tail = new EventTail(redisConnection(config.redis, "worker", outages, "events"), store.keys);
    const policies = new PolicyStore(requestRedis, config.queuePrefix, config.eventsMaxLen);
    const engine = new RolloutEngine(requestRedis, store.keys, engineOptions);
    const service = rolloutsOn(store, engine, policies, tail);
    routes.push(...rolloutRoutes(service));
    routes.push(
      ...policyRoutes(
        policyService({
          store: policies,
          maxPolicies: config.maxPolicies,
          maxVersions: config.maxPolicyVersions,
        }),
      ),
    );
    routes.push(
      ...scheduleRoutes(
        scheduleService({
          store: new ScheduleStore(requestRedis, config.queuePrefix, config.eventsMaxLen),
          rollouts: service,
          policies,
          gateways: config.gateways,
          control: queues.control,
          maxSchedules: config.maxSchedules,
          minIntervalSeconds: config.scheduleMinIntervalSeconds,
          policyStrict: config.policyStrict,
        }),
      ),
    );
    routes.push(openApiRoute(() => routes, VERSION));
    mounts.push({ path: QUEUE_BOARD_PATH, role: "admin", router: queueBoard(queues) });
    // The web console: public static files; every API call of the page sends its bearer token.
    mounts.push({ path: CONSOLE_PATH, role: null, router: consoleRouter(log) });
    routes.push(whoamiRoute);
    routes.push(
      ...reportRoutes({ rollout: service.get, store }),
      // Read on the request connection, so a Redis outage answers 503 at once.
      ...auditRoutes(new AuditLog(requestRedis, store.keys.audit, config.auditMaxLen)),
      ...gatewayRoutes(clients),
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
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const serverClosed = runtime.server
      ? new Promise<void>((resolve) => {
          runtime.server?.close(() => resolve());
          runtime.server?.closeIdleConnections();
        })
      : Promise.resolve();
    // Bounded: a gateway that never answers must not keep the process from exiting.
    await runtime.workers?.close(deadline);
    await Promise.race([
      serverClosed,
      new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref()),
    ]);
    runtime.server?.closeAllConnections();
    tail?.close();
    rates.stop();
    await consumer.stop();
    // destroy, not close: close would wait for in-flight requests past the deadline.
    await Promise.allSettled([queues.close(), ...[...clients.values()].map((c) => c.destroy())]);
    for (const connection of new Set([workerRedis, queueRedis, requestRedis])) connection?.disconnect();
  };
  return runtime;
}
