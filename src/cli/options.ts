import { InvalidArgumentError } from "commander";

/** A commander option parser for a whole number of at least `min` (digits only: no 1e3, no 0x10). */
export const atLeast = (min: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw new InvalidArgumentError(`a whole number of at least ${min}`);
  return n;
};
