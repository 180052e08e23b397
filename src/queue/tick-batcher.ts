/**
 * Gathers calls made in the same event-loop turn and flushes them together, grouped by key:
 * jobs of one rollout that start or finish together share one Redis script call instead of
 * one each. Each caller gets its own item's result.
 */
export class TickBatcher<I, R> {
  private pending = new Map<
    string,
    Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }>
  >();
  private scheduled = false;

  constructor(private readonly flush: (key: string, items: I[]) => Promise<R[]>) {}

  add(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const group = this.pending.get(key) ?? [];
      group.push({ item, resolve, reject });
      this.pending.set(key, group);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    const groups = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [key, entries] of groups) {
      this.flush(
        key,
        entries.map((e) => e.item),
      ).then(
        (results) => {
          for (const [i, e] of entries.entries()) e.resolve(results[i] as R);
        },
        (error: unknown) => {
          for (const e of entries) e.reject(error);
        },
      );
    }
  }
}
