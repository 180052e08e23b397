type Entry<I, R> = { item: I; resolve: (r: R) => void; reject: (e: unknown) => void };

/**
 * Group commit: calls made for one key are written together, at most one write per key in
 * flight. Calls made in the same event-loop turn share a write; calls made while a write is in
 * flight share the next one. Idle, a call is written at once; under load, batches grow with the
 * load, so finishing jobs of one rollout costs one Redis script call per batch, not per job.
 */
export class GroupCommit<I, R> {
  private readonly waiting = new Map<string, Array<Entry<I, R>>>();
  private readonly writing = new Set<string>();

  constructor(private readonly write: (key: string, items: I[]) => Promise<R[]>) {}

  add(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const group = this.waiting.get(key);
      if (group !== undefined) {
        group.push({ item, resolve, reject });
        return;
      }
      this.waiting.set(key, [{ item, resolve, reject }]);
      // The rest of this turn joins the batch; a write in flight flushes it when done.
      if (!this.writing.has(key)) setImmediate(() => void this.flush(key));
    });
  }

  private async flush(key: string): Promise<void> {
    const entries = this.waiting.get(key);
    if (entries === undefined) return;
    this.waiting.delete(key);
    this.writing.add(key);
    try {
      const results = await this.write(
        key,
        entries.map((e) => e.item),
      );
      for (const [i, e] of entries.entries()) e.resolve(results[i] as R);
    } catch (error) {
      for (const e of entries) e.reject(error);
    } finally {
      this.writing.delete(key);
      if (this.waiting.has(key)) void this.flush(key);
    }
  }
}
