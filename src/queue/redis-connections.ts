import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import type { RedisConfig } from "../config/redis-config.js";
import type { RedisClient } from "../store/redis-client.js";

/** Errors this soon after Redis came back belong to the same outage (connections reconnect one by one). */
const SETTLE_MS = 5_000;

/**
 * One warn line per Redis outage and one info line when it is back, for the whole process,
 * however many connections and BullMQ workers report the failure on every reconnect attempt.
 */
export class OutageLog {
  private down = false;
  private backAt = 0;

  constructor(private readonly log: Logger) {}

  failing(source: string, err: Error): void {
    if (this.down || Date.now() - this.backAt < SETTLE_MS) return;
    this.down = true;
    this.log.warn({ source, err: { message: err.message } }, "Redis unavailable; retrying");
  }

  recovered(source: string): void {
    if (!this.down) return;
    this.down = false;
    this.backAt = Date.now();
    this.log.info({ source }, "Redis back");
  }
}

/**
 * What each role needs: workers block on Redis and must ride out outages (retry forever); request
 * handlers fail fast so the API answers 503 instead of hanging on an offline queue; the API's
 * queue connection queues while reconnecting but gives up after one retry.
 */
const ROLES = {
  worker: { maxRetriesPerRequest: null, enableOfflineQueue: true },
  request: { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 },
  queue: { maxRetriesPerRequest: 1, enableOfflineQueue: true },
} satisfies Record<string, RedisOptions>;

export type ConnectionRole = keyof typeof ROLES;

function client(config: RedisConfig, role: ConnectionRole): RedisClient {
  // The offline queue is the cluster's own (its node connections always keep one); the rest is per node.
  const { enableOfflineQueue, ...perNode } = ROLES[role];
  const auth = { username: config.username, password: config.password, tls: config.tls };
  switch (config.mode) {
    case "single":
      return new Redis(config.url, { ...perNode, enableOfflineQueue, ...auth });
    case "sentinel":
      return new Redis({
        ...perNode,
        enableOfflineQueue,
        ...auth,
        sentinels: config.sentinels,
        name: config.name,
        sentinelPassword: config.sentinelPassword,
        enableTLSForSentinelMode: config.tls !== undefined,
        sentinelTLS: config.tls,
        // Hears +switch-master from the sentinels instead of waiting for the old primary's socket to fail.
        failoverDetector: true,
      });
    case "cluster":
      return new Cluster(config.nodes, { enableOfflineQueue, redisOptions: { ...perNode, ...auth } });
  }
}

/**
 * A connection of `role` to the configured Redis. `source` names it in the outage log, which
 * gets one warn line per outage whatever the mode (a cluster reports node errors on their own).
 */
export function redisConnection(
  config: RedisConfig,
  role: ConnectionRole,
  outages: OutageLog,
  source: string = role,
): RedisClient {
  const redis = client(config, role);
  // Without a listener ioredis prints every failed reconnect to stderr, outside the JSON log.
  redis.on("error", (err: Error) => outages.failing(source, err));
  redis.on("node error", (err: Error) => outages.failing(source, err));
  redis.on("ready", () => outages.recovered(source));
  return redis;
}
