// A manager that takes only so many requests a second: past that it answers 429 with Retry-After
// (or 503), judged over a sliding one-second window, and counts what it took and refused per second.
import type { CapacityOptions } from "./types.js";

const WINDOW_MS = 1000;
/** Per-second counts kept for `loadBySecond` (ten minutes). */
const KEEP_SECONDS = 600;

export interface SecondLoad {
  /** Unix time in whole seconds. */
  second: number;
  /** Requests let through (they may still fail for other reasons). */
  accepted: number;
  /** Requests refused for capacity (429 or 503). */
  rejected: number;
}

export function validateCapacity(capacity: CapacityOptions | undefined): void {
  if (capacity === undefined) return;
  if (!(Number.isFinite(capacity.perSecond) && capacity.perSecond > 0)) {
    throw new RangeError(`capacity.perSecond must be > 0, got ${capacity.perSecond}`);
  }
  if (capacity.answer !== undefined && capacity.answer !== 429 && capacity.answer !== 503) {
    throw new RangeError(`capacity.answer must be 429 or 503, got ${String(capacity.answer)}`);
  }
  const retryAfter = capacity.retryAfterSeconds;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
    throw new RangeError(`capacity.retryAfterSeconds must be a whole number >= 0, got ${retryAfter}`);
  }
}

/** Arrival times of the requests let through in the last second, and the per-second tallies. */
export class CapacityWindow {
  private times: number[] = [];
  private head = 0;
  private readonly seconds = new Map<number, SecondLoad>();

  /** True when a request arriving `now` fits under `perSecond` (and is counted), false when refused. */
  admit(capacity: CapacityOptions | undefined, now: number): boolean {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - WINDOW_MS) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    const admitted = capacity === undefined || this.times.length - this.head < capacity.perSecond;
    if (admitted) this.times.push(now);
    const second = Math.floor(now / 1000);
    let load = this.seconds.get(second);
    if (load === undefined) {
      load = { second, accepted: 0, rejected: 0 };
      this.seconds.set(second, load);
      // Insertion order is time order: the first key is the oldest second.
      if (this.seconds.size > KEEP_SECONDS) this.seconds.delete(this.seconds.keys().next().value ?? second);
    }
    if (admitted) load.accepted++;
    else load.rejected++;
    return admitted;
  }

  bySecond(): SecondLoad[] {
    return [...this.seconds.values()].map((load) => ({ ...load })).sort((a, b) => a.second - b.second);
  }

  reset(): void {
    this.times = [];
    this.head = 0;
    this.seconds.clear();
  }
}
