import type { RedisClient } from "./redis-client.js";

/**
 * Deletes every key of a deployment (its prefix: rollouts, schedules and BullMQ queues alike), with
 * SCAN so Redis is never blocked and UNLINK so memory is freed in the background. For throwaway
 * deployments: the demo, benchmarks and tests.
 */
export async function dropPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}
