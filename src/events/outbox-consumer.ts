import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { parseEvent, type RolloutEvent } from "../engine/events.js";
import type { EventStream } from "../store/keys.js";
import type { RedisClient } from "../store/redis-client.js";
import { IdleWait, readStreams, type StreamEntries } from "./stream-reads.js";

export interface OutboxConsumerOptions {
  /** A connection of its own: XREADGROUP BLOCK holds it. */
  redis: RedisClient;
  /** Every outbox stream (Keys.eventStreams): the rollout partitions' and the global one. */
  streams: readonly EventStream[];
  group: string;
  /** Handles a batch; must be idempotent by event id (an event can come twice, never zero times). */
  handle(events: RolloutEvent[]): Promise<void>;
  log: Logger;
  /** Events another consumer took and did not acknowledge for this long are taken over. */
  claimIdleMs: number;
  blockMs?: number;
}

const BATCH = 200;

/** Stream ids in time order: milliseconds, then sequence. */
function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq;
}

/**
 * At-least-once reader of the outbox streams in a consumer group (one group per stream): every
 * process runs one, the group shares the events among them, and events a killed process took
 * are handed over once they have been idle `claimIdleMs`. An event is acknowledged only after it
 * was handled. Every stream is read in each round (readStreams: one blocking command on one
 * Redis, a command per stream on a cluster).
 */
export function startOutboxConsumer(o: OutboxConsumerOptions): { stop(): Promise<void> } {
  const consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const blockMs = o.blockMs ?? Math.min(2000, o.claimIdleMs / 2);
  const idle = new IdleWait(o.redis);
  let stopped = false;
  let lastClaim = 0;
  const keys = o.streams.map((s) => s.key);
  const sources = new Map(o.streams.map((s) => [s.key, s.source]));

  /**
   * Handles the entries of several streams as one batch, in the order they were written (stream
   * ids start with the time), so the audit trail keeps that order across partitions; then acks.
   */
  const handle = async (replies: Array<[string, StreamEntries]>) => {
    if (replies.every(([, list]) => list.length === 0)) return;
    const events = replies.flatMap(([stream, list]) =>
      list.flatMap(([id, flat]) => parseEvent(`${id}-${sources.get(stream)}`, flat) ?? []),
    );
    events.sort((a, b) => compareIds(a.id, b.id));
    await o.handle(events);
    await Promise.all(
      replies.flatMap(([stream, list]) =>
        list.length === 0 ? [] : [o.redis.xack(stream, o.group, ...list.map(([id]) => id))],
      ),
    );
  };

  /** Takes over every stream's events left unacknowledged too long, handled as one batch in time order. */
  const claim = async () => {
    const replies = await Promise.all(
      keys.map(async (stream): Promise<[string, StreamEntries]> => {
        const [, claimed] = (await o.redis.xautoclaim(
          stream,
          o.group,
          consumer,
          o.claimIdleMs,
          "0-0",
          "COUNT",
          BATCH,
        )) as [string, StreamEntries];
        return [stream, claimed.filter(([, flat]) => flat !== null)];
      }),
    );
    await handle(replies);
  };

  /** One round of new events; false when there were none. */
  const readNew = async (): Promise<boolean> => {
    const replies = await readStreams(
      o.redis,
      ["XREADGROUP", "GROUP", o.group, consumer, "COUNT", BATCH],
      keys,
      keys.map(() => ">"),
      blockMs,
    );
    await handle(replies);
    return replies.some(([, entries]) => entries.length > 0);
  };

  let grouped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        // In the loop: a Redis that refuses us at first (down, or the ACL password not yet valid) is retried.
        if (!grouped) {
          await Promise.all(
            keys.map((stream) =>
              o.redis.xgroup("CREATE", stream, o.group, "0", "MKSTREAM").catch((error: Error) => {
                if (!error.message.includes("BUSYGROUP")) throw error;
              }),
            ),
          );
          grouped = true;
        }
        if (Date.now() - lastClaim >= o.claimIdleMs / 2) {
          lastClaim = Date.now();
          await claim();
        }
        await idle.after(await readNew());
      } catch (error) {
        if (stopped) break;
        // Unacknowledged events stay pending and are taken over; Redis outages are logged by the connection.
        o.log.debug({ err: error, group: o.group }, "outbox consumer step failed; retrying");
        await sleep(500);
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
