import { setTimeout as sleep } from "node:timers/promises";
import { Cluster, type Redis } from "ioredis";

export type StreamEntries = Array<[string, string[]]>;
type StreamReply = Array<[string, StreamEntries]>;

/** On a cluster, the first wait after a round that found nothing; it doubles up to MAX. */
const FIRST_IDLE_WAIT_MS = 50;
const MAX_IDLE_WAIT_MS = 500;

/**
 * Reads several streams with XREAD or XREADGROUP (`command` is everything before BLOCK and
 * STREAMS): on one Redis in one command that blocks up to `blockMs`; on a cluster, where a
 * command names one slot, one command per stream, all sent at once, none blocking (a blocked
 * command would hold the node's connection): the caller waits with `IdleWait` instead.
 * Returns the entries by stream.
 */
export async function readStreams(
  redis: Redis | Cluster,
  command: [string, ...Array<string | number>],
  streams: readonly string[],
  ids: readonly string[],
  blockMs: number,
): Promise<StreamReply> {
  const [name, ...args] = command;
  if (redis instanceof Cluster) {
    const replies = await Promise.all(
      streams.map((stream, i) => redis.call(name, ...args, "STREAMS", stream, ids[i] ?? "$")),
    );
    return replies.flatMap((reply) => (reply as StreamReply | null) ?? []);
  }
  const reply = await redis.call(name, ...args, "BLOCK", blockMs, "STREAMS", ...streams, ...ids);
  return (reply as StreamReply | null) ?? [];
}

/**
 * The pause between two rounds of `readStreams` that found nothing on a cluster (on one Redis
 * the read itself blocked): 50 ms doubling to 500 ms, back to 50 ms once something came.
 */
export class IdleWait {
  private wait = FIRST_IDLE_WAIT_MS;

  constructor(private readonly redis: Redis | Cluster) {}

  async after(found: boolean): Promise<void> {
    if (found || !(this.redis instanceof Cluster)) {
      this.wait = FIRST_IDLE_WAIT_MS;
      return;
    }
    await sleep(this.wait);
    this.wait = Math.min(this.wait * 2, MAX_IDLE_WAIT_MS);
  }
}
