// The progress bar's rate and ETA: steady between updates, honest during stalls.
import { describe, expect, it } from "vitest";
import { RateMeter } from "../src/cli/rate-meter.js";

describe("rate meter", () => {
  it("has no rate until a second of history, then targets per second and the time left", () => {
    const meter = new RateMeter();
    meter.sample(0, 0);
    expect(meter.rate(500)).toBeUndefined();
    meter.sample(10, 1000);
    meter.sample(20, 2000);
    expect(meter.rate(2000)).toBe(10);
    expect(meter.etaSeconds(30, 2000)).toBe(3);
    expect(meter.etaSeconds(0, 2000)).toBe(0);
  });

  it("keeps the rate between updates, lowers it once updates stop, and has no ETA when nothing moves", () => {
    const meter = new RateMeter();
    meter.sample(0, 0);
    meter.sample(20, 2000);
    expect(meter.rate(2900)).toBe(10);
    expect(meter.rate(10_000)).toBe(2);
    const still = new RateMeter();
    still.sample(5, 0);
    still.sample(5, 2000);
    expect(still.etaSeconds(10, 2000)).toBeUndefined();
  });

  it("measures over the last 30 s only, and starts over when done goes down (a retry)", () => {
    const meter = new RateMeter();
    meter.sample(0, 0);
    meter.sample(1000, 10_000);
    for (let t = 20_000; t <= 60_000; t += 10_000) meter.sample(1000 + (t - 10_000) / 1000, t);
    expect(meter.rate(60_000)).toBe(1);
    meter.sample(3, 61_000);
    expect(meter.rate(61_500)).toBeUndefined();
  });
});
