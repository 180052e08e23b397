/** How far back the completion rate looks: recent enough to follow a pause or a slowdown. */
const WINDOW_MS = 60_000;

/** Completion rate per rollout from the samples seen at each scrape, over a sliding window. */
export class RateWindow {
  private readonly samples = new Map<string, Array<{ at: number; done: number }>>();

  /** Records `done` at `at` and returns targets per second over the window (undefined until two samples). */
  observe(id: string, done: number, at: number): number | undefined {
    const series = (this.samples.get(id) ?? []).filter((s) => at - s.at <= WINDOW_MS);
    series.push({ at, done });
    this.samples.set(id, series);
    const first = series[0];
    if (first === undefined || series.length < 2 || at === first.at) return undefined;
    return (done - first.done) / ((at - first.at) / 1000);
  }

  forgetExcept(keep: ReadonlySet<string>): void {
    for (const id of this.samples.keys()) if (!keep.has(id)) this.samples.delete(id);
  }
}
