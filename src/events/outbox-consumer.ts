import { hostname } from "node:os";
import type { Logger } from "pino";
import { parseEvent, type RolloutEvent } from "../engine/events.js";
import type { RedisClient } from "../store/redis-client.js";

export interface OutboxConsumerOptions {
  /** A connection of its own: XREADGROUP BLOCK holds it. */
  redis: RedisClient;
  stream: string;
  group: string;
  /** Handles a batch; must be idempotent by event id (an event can come twice, never zero times). */
  handle(events: RolloutEvent[]): Promise<void>;
  log: Logger;
  /** Events another consumer took and did not acknowledge for this long are taken over. */
  claimIdleMs: number;
  blockMs?: number;
}

type Entries = Array<[string, string[]]>;
const BATCH = 200;

/**
 * At-least-once reader of the outbox stream in a consumer group: every process runs one, the
 * group shares the events among them, and events a killed process took are handed over once
 * they have been idle `claimIdleMs`. An event is acknowledged only after it was handled.
 */
export function startOutboxConsumer(o: OutboxConsumerOptions): { stop(): Promise<void> } {
  const consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let stopped = false;
  let lastClaim = 0;

  const handle = async (entries: Entries) => {
    if (entries.length === 0) return;
    const events = entries.flatMap(([id, flat]) => parseEvent(id, flat) ?? []);
    await o.handle(events);
    await o.redis.xack(o.stream, o.group, ...entries.map(([id]) => id));
  };

  let grouped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        // In the loop: a Redis that refuses us at first (down, or the ACL password not yet valid) is retried.
        if (!grouped) {
          await o.redis.xgroup("CREATE", o.stream, o.group, "0", "MKSTREAM").catch((error: Error) => {
            if (!error.message.includes("BUSYGROUP")) throw error;
          });
          grouped = true;
        }
        if (Date.now() - lastClaim >= o.claimIdleMs / 2) {
          lastClaim = Date.now();
          const [, claimed] = (await o.redis.xautoclaim(
            o.stream,
            o.group,
            consumer,
            o.claimIdleMs,
            "0-0",
            "COUNT",
            BATCH,
          )) as [string, Entries];
          await handle(claimed.filter(([, flat]) => flat !== null));
        }
        const reply = (await o.redis.xreadgroup(
          "GROUP",
          o.group,
          consumer,
          "COUNT",
          BATCH,
          "BLOCK",
          o.blockMs ?? Math.min(2000, o.claimIdleMs / 2),
          "STREAMS",
          o.stream,
          ">",
        )) as Array<[string, Entries]> | null;
        await handle(reply?.[0]?.[1] ?? []);
      } catch (error) {
        if (stopped) break;
        // Unacknowledged events stay pending and are taken over; Redis outages are logged by the connection.
        o.log.debug({ err: error, group: o.group }, "outbox consumer step failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const running = loop().catch((error: unknown) => o.log.error({ err: error }, "outbox consumer stopped"));

  return {
    async stop() {
      stopped = true;
      o.redis.disconnect();
      // A command queued while Redis is away is never settled by disconnect(): do not wait on it.
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
