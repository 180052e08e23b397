import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

/** One log line per connection and outage, not one per reconnect attempt. */
const OUTAGE_LOG_EVERY_MS = 30_000;

function connect(url: string, role: string, log: Logger, options: RedisOptions): Redis {
  const redis = new Redis(url, options);
  let lastLogged = 0;
  // Without a listener ioredis prints every failed reconnect to stderr, outside the JSON log.
  redis.on("error", (err: Error) => {
    const now = Date.now();
    if (now - lastLogged < OUTAGE_LOG_EVERY_MS) return;
    lastLogged = now;
    log.warn({ connection: role, err: { message: err.message } }, "Redis connection failing; retrying");
  });
  redis.on("ready", () => {
    if (lastLogged === 0) return;
    lastLogged = 0;
    log.info({ connection: role }, "Redis connection back");
  });
  return redis;
}

/** For BullMQ workers and blocking commands: retry forever while Redis is away. */
export function workerConnection(url: string, log: Logger): Redis {
  return connect(url, "worker", log, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * For request handlers: fail fast while Redis is away so the API answers 503 instead of
 * hanging on an offline queue.
 */
export function requestConnection(url: string, log: Logger): Redis {
  return connect(url, "request", log, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
  });
}

/** For adding jobs from the API: queues while reconnecting, but gives up after one retry. */
export function queueConnection(url: string, log: Logger): Redis {
  return connect(url, "queue", log, { maxRetriesPerRequest: 1 });
}
