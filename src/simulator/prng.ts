// A seeded PRNG so that a fault-injection run can be replayed exactly from its seed.

export type Random = () => number;

/** mulberry32: 32-bit state, uniform in [0, 1); tiny and fast enough to draw once per request. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
