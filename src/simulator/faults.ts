// Deciding which requests are faulted and how long each one waits, from the configured rates.

import type { Random } from "./prng.js";
import type { FaultOptions } from "./types.js";

export type Fault = "unavailable" | "rate_limited" | "reset" | "hang";

const WRITE_METHODS = new Set(["PATCH", "POST"]);

/** Throws on rates outside 0..1 or summing above 1, so a typo in a test or flag fails loudly. */
export function validateFaults(faults: FaultOptions): void {
  const rates = [faults.rate503, faults.rate429, faults.rateReset, faults.rateHang];
  for (const rate of rates) {
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`fault rates must be between 0 and 1, got ${rate}`);
    }
  }
  if (rates.reduce<number>((sum, rate) => sum + (rate ?? 0), 0) > 1) {
    throw new RangeError("fault rates must not add up to more than 1");
  }
  const retryAfter = faults.retryAfterSeconds;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
    throw new RangeError(`retryAfterSeconds must be a whole number >= 0, got ${retryAfter}`);
  }
  if (faults.appliesTo !== undefined && faults.appliesTo !== "all" && faults.appliesTo !== "writes") {
    throw new RangeError(`appliesTo must be "all" or "writes", got ${String(faults.appliesTo)}`);
  }
}

/**
 * One draw per eligible request (none when every rate is 0), so a given seed and request order
 * always fault the same requests whatever the rates are split into.
 */
export function drawFault(faults: FaultOptions, method: string, random: Random): Fault | undefined {
  if (faults.appliesTo === "writes" && !WRITE_METHODS.has(method)) return undefined;
  const thresholds: Array<[Fault, number]> = [
    ["unavailable", faults.rate503 ?? 0],
    ["rate_limited", faults.rate429 ?? 0],
    ["reset", faults.rateReset ?? 0],
    ["hang", faults.rateHang ?? 0],
  ];
  if (thresholds.every(([, rate]) => rate === 0)) return undefined;
  const draw = random();
  let edge = 0;
  for (const [fault, rate] of thresholds) {
    edge += rate;
    if (draw < edge) return fault;
  }
  return undefined;
}

export type Latency = number | [number, number];

export function validateLatency(latency: Latency | undefined): void {
  if (latency === undefined) return;
  const [min, max] = typeof latency === "number" ? [latency, latency] : latency;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && min <= max)) {
    throw new RangeError(`latency must be >= 0 ms (a range as [min, max]), got ${JSON.stringify(latency)}`);
  }
}

/** Milliseconds to wait before answering: fixed, or uniform in [min, max]. */
export function drawLatency(latency: Latency | undefined, random: Random): number {
  if (latency === undefined) return 0;
  if (typeof latency === "number") return latency;
  const [min, max] = latency;
  return min + Math.round(random() * (max - min));
}
