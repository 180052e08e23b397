import type { Keys } from "../store/keys.js";
import { partitionOf } from "../store/keys.js";
import type { RedisClient } from "../store/redis-client.js";
import { IdleWait, readStreams } from "./stream-reads.js";

type Listener = () => void;

/** A blocking read returns this often, so a rollout of another partition watched meanwhile joins it. */
const BLOCK_MS = 1000;

/**
 * Follows the outbox streams of the rollouts watched (XREAD BLOCK on their partitions' streams)
 * for one process and tells subscribers when an event of their rollout arrives: progress streams
 * wait on this instead of polling Redis per client. It reads only while someone listens.
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

  /** The streams of the partitions watched now, each with its cursor (new ones start at their end). */
  private async watched(): Promise<string[]> {
    const streams = [...new Set([...this.listeners.keys()].map((id) => this.keys.events(partitionOf(id))))];
    for (const stream of this.cursors.keys()) if (!streams.includes(stream)) this.cursors.delete(stream);
    for (const stream of streams) {
      if (this.cursors.has(stream)) continue;
      const [last] = await this.redis.xrevrange(stream, "+", "-", "COUNT", 1);
      this.cursors.set(stream, last?.[0] ?? "0-0");
    }
    return streams;
  }

  private async follow(): Promise<void> {
    this.running = true;
    const idle = new IdleWait(this.redis);
    try {
      while (this.listeners.size > 0 && !this.closed) {
        const streams = await this.watched();
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
