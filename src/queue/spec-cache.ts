import type { RolloutSpec } from "../rollouts/schema.js";
import type { RolloutStore } from "../store/rollout-store.js";

const MAX_ENTRIES = 256;

/**
 * A rollout's spec never changes after creation, so each worker reads it once instead of once
 * per target (100k targets would mean 100k extra Redis round trips).
 */
export class SpecCache {
  private readonly entries = new Map<string, RolloutSpec>();

  constructor(private readonly store: RolloutStore) {}

  async get(rolloutId: string): Promise<RolloutSpec | undefined> {
    const cached = this.entries.get(rolloutId);
    if (cached !== undefined) return cached;
    const raw = await this.store.getField(rolloutId, "spec");
    if (raw === null) return undefined;
    const spec = JSON.parse(raw) as RolloutSpec;
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(rolloutId, spec);
    return spec;
  }
}
