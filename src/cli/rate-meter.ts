/** Long enough to smooth out wave boundaries, short enough to follow a rate-limited gateway. */
const WINDOW_MS = 30_000;
/** Below this much history a rate is noise. */
const MIN_SPAN_MS = 1000;
/** Updates arrive about every second; only a longer silence is a stall that should lower the rate. */
const STALL_MS = 3000;

/** Targets per second over a sliding window, and the time left at that rate. */
export class RateMeter {
  #samples: Array<{ at: number; done: number }> = [];

  sample(done: number, now = Date.now()): void {
    const last = this.#samples.at(-1);
    // Fewer done than before (a retry re-queued failed targets): the old history no longer applies.
    if (last !== undefined && done < last.done) this.#samples = [];
    this.#samples.push({ at: now, done });
    // Keep one sample from before the window as its anchor, so sparse updates still span it.
    while ((this.#samples[1]?.at ?? now) <= now - WINDOW_MS) this.#samples.shift();
  }

  /**
   * Measured up to the last update, or up to `now` once updates stop coming, so a stall (a bake,
   * a slow gateway) lowers the rate instead of freezing it, yet redraws between updates do not.
   */
  rate(now = Date.now()): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (first === undefined || last === undefined) return undefined;
    const end = now - last.at > STALL_MS ? now : last.at;
    if (end - first.at < MIN_SPAN_MS) return undefined;
    return (last.done - first.done) / ((end - first.at) / 1000);
  }

  /** Seconds until `remaining` more are done, or undefined while nothing moves. */
  etaSeconds(remaining: number, now = Date.now()): number | undefined {
    const rate = this.rate(now);
    if (remaining <= 0) return 0;
    return rate === undefined || rate <= 0 ? undefined : remaining / rate;
  }
}
