import type { RedisClient } from "../store/redis-client.js";

type Listener = () => void;

/**
 * Follows the outbox stream (XREAD BLOCK) for one process and tells subscribers when an event of
 * their rollout arrives: progress streams wait on this instead of polling Redis per client.
 * It reads only while someone listens.
 */
export class EventTail {
  private readonly listeners = new Map<string, Set<Listener>>();
  private running = false;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly stream: string,
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

  private async follow(): Promise<void> {
    this.running = true;
    try {
      const [last] = await this.redis.xrevrange(this.stream, "+", "-", "COUNT", 1);
      let cursor = last?.[0] ?? "0-0";
      while (this.listeners.size > 0 && !this.closed) {
        const reply = (await this.redis.xread(
          "COUNT",
          500,
          "BLOCK",
          5000,
          "STREAMS",
          this.stream,
          cursor,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const touched = new Set<string>();
        for (const [id, flat] of reply?.[0]?.[1] ?? []) {
          cursor = id;
          if (flat[0] === "r") touched.add(flat[1] ?? "");
        }
        for (const rolloutId of touched)
          for (const listener of this.listeners.get(rolloutId) ?? []) listener();
      }
    } catch {
      // Redis away: subscribers fall back to their periodic re-read; the next subscriber restarts this.
    } finally {
      this.running = false;
      // A subscriber that came while this was winding down must not wait for the next one.
      if (this.listeners.size > 0 && !this.closed) setTimeout(() => void this.follow(), 1000).unref();
    }
  }

  close(): void {
    this.closed = true;
    this.redis.disconnect();
  }
}
