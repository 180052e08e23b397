import { Cluster, type Redis } from "ioredis";
import type { RedisClient } from "./redis-client.js";

/**
 * Deletes every key of a deployment (its prefix: rollouts, schedules and BullMQ queues alike), with
 * SCAN so Redis is never blocked and UNLINK so memory is freed in the background. For throwaway
 * deployments: the demo, benchmarks and tests. On a cluster SCAN sees one node's keys, so every
 * master is scanned, and each key is unlinked on its own (one command names one slot).
 */
export async function dropPrefix(redis: RedisClient, prefix: string): Promise<number> {
  if (!(redis instanceof Cluster)) return dropOnNode(redis, prefix, false);
  const counts = await Promise.all(redis.nodes("master").map((node) => dropOnNode(node, prefix, true)));
  return counts.reduce((sum, n) => sum + n, 0);
}

async function dropOnNode(redis: Redis, prefix: string, keyByKey: boolean): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length === 0) continue;
    if (!keyByKey) {
      deleted += await redis.unlink(...keys);
      continue;
    }
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [error, n] of (await pipeline.exec()) ?? []) if (!error) deleted += Number(n);
  } while (cursor !== "0");
  return deleted;
}
