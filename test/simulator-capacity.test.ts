// The simulator's capacity mode: a manager that takes N requests in any one second and refuses the
// rest (429 with Retry-After, or 503), changeable at run time, with per-second counts; and its flags.
import { describe, expect, it } from "vitest";
import { CapacityWindow } from "../src/simulator/capacity.js";
import { parseSimulatorArgs } from "../src/simulator/cli-options.js";
import { startSimulator } from "../src/simulator/server.js";
import { call } from "./helpers/simulator-http.js";

describe("simulator capacity", () => {
  it("takes at most N requests in any sliding second", () => {
    const window = new CapacityWindow();
    const capacity = { perSecond: 3 };
    const t = 1_700_000_000_500;
    const admitted = [0, 100, 200, 300, 999, 1000, 1099, 1100, 1101].map((dt) =>
      window.admit(capacity, t + dt),
    );
    // Three taken at 0..200; refused until the first leaves the window at 1000, and so on.
    expect(admitted).toEqual([true, true, true, false, false, true, false, true, false]);
    const seconds = window.bySecond();
    expect(seconds.reduce((sum, s) => sum + s.accepted, 0)).toBe(5);
    expect(seconds.reduce((sum, s) => sum + s.rejected, 0)).toBe(4);
    expect(window.admit(undefined, t + 1102)).toBe(true);
  });

  it("answers 429 with Retry-After (or 503) over capacity, and lifts the limit at run time", async () => {
    const sim = await startSimulator({ capacity: { perSecond: 5, retryAfterSeconds: 2 } });
    const burst = (n: number) =>
      Promise.all(Array.from({ length: n }, () => call(sim, "GET", "/apiops/projects/")));
    try {
      // Sent at once: at most five fit the second, the rest are refused (whatever the order they
      // land in; a loaded machine may spread the burst, so fewer may be taken in the first second).
      const answers = await burst(8);
      const refused = answers.filter((a) => a.status === 429);
      const accepted = answers.filter((a) => a.status === 200).length;
      expect(accepted).toBeLessThanOrEqual(5);
      expect(accepted + refused.length).toBe(8);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(refused[0]?.headers.get("retry-after")).toBe("2");
      sim.state.update({ capacity: { perSecond: 5, answer: 503 } });
      const again = await burst(6);
      expect(again.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(1);
      expect(again.every((a) => a.status === 503 || a.status === 200)).toBe(true);
      sim.state.update({ capacity: undefined });
      expect((await burst(10)).every((a) => a.status === 200)).toBe(true);
      const load = sim.state.loadBySecond();
      const refusedCount = refused.length + again.filter((a) => a.status === 503).length;
      expect(load.reduce((sum, s) => sum + s.rejected, 0)).toBe(refusedCount);
      expect(load.reduce((sum, s) => sum + s.accepted, 0)).toBe(24 - refusedCount);
      expect(() => sim.state.update({ capacity: { perSecond: 0 } })).toThrow(RangeError);
      sim.state.reset();
      expect(sim.state.loadBySecond()).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it("is set by --capacity and --capacity-answer", () => {
    expect(parseSimulatorArgs(["--capacity", "40", "--retry-after", "3"], {}).capacity).toEqual({
      perSecond: 40,
      answer: 429,
      retryAfterSeconds: 3,
    });
    expect(
      parseSimulatorArgs([], { SIMULATOR_CAPACITY: "10", SIMULATOR_CAPACITY_ANSWER: "503" }).capacity,
    ).toMatchObject({ perSecond: 10, answer: 503 });
    expect(parseSimulatorArgs([], {}).capacity).toBeUndefined();
    expect(() => parseSimulatorArgs(["--capacity-answer", "500"], {})).toThrow(/429 or 503/);
  });
});
