export interface BucketLimits {
  /** Tokens a bucket starts with and holds at most. */
  burst: number;
  /** Tokens a bucket gains back each second. */
  perSecond: number;
  /** Buckets kept at most: the least recently used goes first. */
  maxSources: number;
}

/**
 * One token bucket per source (an IP address), in this process's memory. The map is bounded, so
 * requests from ever new addresses cannot grow it; a source evicted meanwhile starts afresh.
 */
export class SourceBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: BucketLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one of `source`'s tokens: 0 when it had one, else the seconds until it has. */
  take(source: string): number {
    const { burst, perSecond, maxSources } = this.limits;
    const now = this.now();
    const last = this.buckets.get(source);
    const tokens =
      last === undefined ? burst : Math.min(burst, last.tokens + ((now - last.at) / 1000) * perSecond);
    // Deleted and set again, so the map's order stays least recently used first.
    this.buckets.delete(source);
    this.buckets.set(source, { tokens: tokens >= 1 ? tokens - 1 : tokens, at: now });
    if (this.buckets.size > maxSources) this.buckets.delete(this.buckets.keys().next().value ?? "");
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / perSecond);
  }

  get size(): number {
    return this.buckets.size;
  }
}
