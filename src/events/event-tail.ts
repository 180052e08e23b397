import { type Keys, PARTITIONS } from "../store/keys.js";
import type { RedisClient } from "../store/redis-client.js";
import { IdleWait, readStreams } from "./stream-reads.js";

type Listener = () => void;

/** A blocking read returns this often, to notice that nobody listens any more. */
const BLOCK_MS = 2000;

/**
 * Follows every rollout partition's outbox stream (one XREAD BLOCK naming the 16 on one Redis)
 * for one process and tells subscribers when an event of their rollout arrives: progress streams
 * wait on this instead of polling Redis per client. It reads only while someone listens, and then
 * all partitions, so a rollout watched later is followed from the moment it is subscribed.
 */
export class EventTail {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Stream → the last entry id seen, for the streams followed. */
  private readonly cursors = new Map<string, string>();
  private running = false;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Calls `listener` after each event of `rolloutId`; returns the unsubscribe function. */
  subscribe(rolloutId: string, listener: Listener): () => void {
    const set = this.listeners.get(rolloutId) ?? new Set();
    set.add(listener);
    this.listeners.set(rolloutId, set);
    if (!this.running) void this.follow();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(rolloutId);
    };
  }

  /** Every partition's stream, each with its cursor at the stream's end when following starts. */
  private async start(): Promise<string[]> {
    const streams = Array.from({ length: PARTITIONS }, (_, n) => this.keys.events(n));
    const lasts = await Promise.all(
      streams.map((stream) => this.redis.xrevrange(stream, "+", "-", "COUNT", 1)),
    );
    streams.forEach((stream, i) => {
      this.cursors.set(stream, lasts[i]?.[0]?.[0] ?? "0-0");
    });
    return streams;
  }

  private async follow(): Promise<void> {
    this.running = true;
    const idle = new IdleWait(this.redis);
    try {
      const streams = await this.start();
      while (this.listeners.size > 0 && !this.closed) {
        const ids = streams.map((stream) => this.cursors.get(stream) ?? "0-0");
        const replies = await readStreams(this.redis, ["XREAD", "COUNT", 500], streams, ids, BLOCK_MS);
        const touched = new Set<string>();
        for (const [stream, entries] of replies) {
          for (const [id, flat] of entries) {
            this.cursors.set(stream, id);
            if (flat[0] === "r") touched.add(flat[1] ?? "");
          }
        }
        for (const rolloutId of touched)
          for (const listener of this.listeners.get(rolloutId) ?? []) listener();
        await idle.after(touched.size > 0);
      }
    } catch {
      // Redis away: subscribers fall back to their periodic re-read; the next subscriber restarts this.
    } finally {
      this.running = false;
      this.cursors.clear();
      // A subscriber that came while this was winding down must not wait for the next one.
      if (this.listeners.size > 0 && !this.closed) setTimeout(() => void this.follow(), 1000).unref();
    }
  }

  close(): void {
    this.closed = true;
    this.redis.disconnect();
  }
}
