import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globSet } from "../src/rollouts/glob.js";

const matches = (pattern: string, name: string) => globSet([pattern])(name);

/** The documented semantics as a regex (code points, `.` crossing everything): fine on short input. */
function reference(pattern: string, name: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\" && i + 1 < pattern.length) source += `\\u{${pattern.codePointAt(++i)?.toString(16)}}`;
    else if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else source += `\\u{${pattern.codePointAt(i)?.toString(16)}}`;
    if ((pattern.codePointAt(i) ?? 0) > 0xffff) i++;
  }
  return new RegExp(`^${source}$`, "su").test(name);
}

describe("glob matching", () => {
  it.each([
    ["orders-*", "orders-api", true],
    ["orders-*", "Orders-api", false],
    ["orders-*", "my-orders-api", false],
    ["*", "", true],
    ["*/*", "pay/refunds", true],
    ["*", "a/b/c", true],
    ["?", "/", true],
    ["?", "😀", true],
    ["??", "😀", false],
    ["*?x", "😀x", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
    ["[ab]", "a", false],
    ["[ab]", "[ab]", true],
    ["{a,b}", "a", false],
    ["!x", "!x", true],
    ["a\\*", "a*", true],
    ["a\\*", "ab", false],
    ["a\\?", "a?", true],
    ["a\\", "a\\", true],
    ["café*", "café-ü", true],
  ])("%s on %s is %s", (pattern, name, expected) => {
    expect(matches(pattern, name)).toBe(expected);
    expect(reference(pattern, name)).toBe(expected);
  });

  it("agrees with the documented semantics on random patterns and names", () => {
    // A small alphabet, so stars, wildcards and literals really interact; an astral character too.
    const char = fc.constantFrom("a", "b", "/", ".", "😀");
    const patternChar = fc.oneof(char, fc.constantFrom("*", "?", "\\*", "\\?", "\\\\"));
    fc.assert(
      fc.property(
        fc.array(patternChar, { maxLength: 10 }).map((p) => p.join("")),
        fc.array(char, { maxLength: 12 }).map((n) => n.join("")),
        (pattern, name) => matches(pattern, name) === reference(pattern, name),
      ),
      { seed: 20_240_611, numRuns: 20_000 },
    );
  });

  it("patterns that make a backtracking regex run for hours finish in milliseconds", () => {
    const patterns = [
      "*a*a*a*a*a*a*a*a*a*b",
      "*?*?*?*?*?*?*?*?!",
      `${"*a".repeat(200)}*b`,
      `${"*a".repeat(200)}*c*`,
      `*${"?a".repeat(200)}*`,
    ];
    // ~70 characters of `a`, ending with each pattern's last character, so the tails match.
    const names = Array.from({ length: 1000 }, (_, i) => "a".repeat(60 + (i % 10)) + ["b", "!", "a"][i % 3]);
    const started = performance.now();
    const test = globSet(patterns);
    // Only the first two patterns can match: the others need 200+ characters or a "c".
    expect(names.filter(test)).toEqual(names.filter((n) => n.endsWith("b") || n.endsWith("!")));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a thousand long literal patterns cost a lookup per name", () => {
    const patterns = Array.from(
      { length: 1000 },
      (_, i) => `${"x".repeat(500)}${String(i).padStart(4, "0")}`,
    );
    const names = Array.from(
      { length: 100_000 },
      (_, i) => `${"x".repeat(500)}${String(i).padStart(4, "0")}`,
    );
    const started = performance.now();
    const test = globSet(patterns);
    expect(names.filter(test)).toHaveLength(1000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a thousand wildcard patterns longer than any name cost a length check per name", () => {
    const patterns = Array.from({ length: 1000 }, (_, i) => `*${"?a".repeat(200)}${i}`);
    const names = Array.from({ length: 20_000 }, (_, i) => `${"?a".repeat(32)}${i}`);
    const started = performance.now();
    expect(names.filter(globSet(patterns))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
