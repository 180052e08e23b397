import type { RolloutStore } from "../store/rollout-store.js";

/** How stale a rollout's status may be when a job decides whether to send: "pause stops new calls within a second". */
const MAX_AGE_MS = 1000;

/**
 * Each worker process reads a rollout's status at most once a second, however many of its jobs
 * start meanwhile, instead of one claim round trip per job. Concurrent readers share one read.
 */
export class StatusCache {
  private readonly entries = new Map<string, { at: number; status: Promise<string | null> }>();

  constructor(private readonly store: RolloutStore) {}

  /** What this process just changed itself (a pause its own job caused): no need to wait for a read. */
  set(rolloutId: string, status: string): void {
    this.entries.set(rolloutId, { at: Date.now(), status: Promise.resolve(status) });
  }

  get(rolloutId: string): Promise<string | null> {
    const now = Date.now();
    const cached = this.entries.get(rolloutId);
    if (cached !== undefined && now - cached.at < MAX_AGE_MS) return cached.status;
    const status = this.store.getField(rolloutId, "status");
    // A failed read is not cached: the next job asks again.
    status.catch(() => this.entries.delete(rolloutId));
    this.entries.set(rolloutId, { at: now, status });
    if (this.entries.size > 1024) {
      for (const [id, entry] of this.entries) if (now - entry.at >= MAX_AGE_MS) this.entries.delete(id);
    }
    return status;
  }
}
