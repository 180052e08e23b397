import { Redis } from "ioredis";

/** For BullMQ workers and blocking commands: retry forever while Redis is away. */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * For request handlers: fail fast while Redis is away so the API answers 503 instead of
 * hanging on an offline queue.
 */
export function requestConnection(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
}

/** For adding jobs from the API: queues while reconnecting, but gives up after one retry. */
export function queueConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}
