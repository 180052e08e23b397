import type { WaveSize } from "./schema.js";

function absolute(size: WaveSize, of: number, round: (n: number) => number): number {
  return typeof size === "number" ? size : round((Number.parseFloat(size) / 100) * of);
}

/**
 * Cumulative end offsets of each wave over `count` targets. Sizes are cumulative (Ansible
 * `serial` style), clamped to `count`; a wave that adds nothing is dropped and the last wave
 * always reaches every target. Percentages round up so "1%" of a small fleet is still one target.
 */
export function waveBounds(waves: readonly WaveSize[] | undefined, count: number): number[] {
  const bounds: number[] = [];
  for (const size of waves ?? []) {
    const end = Math.min(count, absolute(size, count, Math.ceil));
    if (end > (bounds.at(-1) ?? 0)) bounds.push(end);
  }
  if ((bounds.at(-1) ?? 0) < count || bounds.length === 0) bounds.push(count);
  return bounds;
}

/**
 * How many failed targets the rollout tolerates; it pauses once failures *exceed* this.
 * A percentage is of all targets of the rollout and rounds down ("5%" of 30 tolerates 1).
 */
export function errorBudget(maxErrors: WaveSize | undefined, total: number): number {
  return maxErrors === undefined ? 0 : absolute(maxErrors, total, Math.floor);
}
