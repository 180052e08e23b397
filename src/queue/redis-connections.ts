import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

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

function connect(url: string, role: string, outages: OutageLog, options: RedisOptions): Redis {
  const redis = new Redis(url, options);
  // Without a listener ioredis prints every failed reconnect to stderr, outside the JSON log.
  redis.on("error", (err: Error) => outages.failing(role, err));
  redis.on("ready", () => outages.recovered(role));
  return redis;
}

/** For BullMQ workers and blocking commands: retry forever while Redis is away. */
export function workerConnection(url: string, outages: OutageLog, role = "worker"): Redis {
  return connect(url, role, outages, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * For request handlers: fail fast while Redis is away so the API answers 503 instead of
 * hanging on an offline queue.
 */
export function requestConnection(url: string, outages: OutageLog): Redis {
  return connect(url, "request", outages, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
  });
}

/** For adding jobs from the API: queues while reconnecting, but gives up after one retry. */
export function queueConnection(url: string, outages: OutageLog): Redis {
  return connect(url, "queue", outages, { maxRetriesPerRequest: 1 });
}
