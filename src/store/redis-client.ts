import type { Cluster, Redis } from "ioredis";

/** A connection of any Redis mode: one node (directly or through Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;
