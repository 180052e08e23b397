import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DIST, ROOT, track } from "./helpers/process.js";

describe("npm run demo (short version)", () => {
  it("starts everything, runs the sample rollout to its end, and stops everything", async () => {
    // The compiled demo, as `npm run demo` runs it; killed at the timeout (or by test/setup.ts).
    const demo = promisify(execFile)(process.execPath, [join(DIST, "demo/main.js")], {
      cwd: ROOT,
      env: { ...process.env, DEMO_SHORT: "1" },
      timeout: 60_000,
      killSignal: "SIGKILL",
    });
    track(demo.child);
    const { stdout, stderr } = await demo;
    const output = stdout + stderr;
    expect(output).toMatch(/Rollout \S+ failed: 60 targets: 55 succeeded, 2 failed, 3 skipped/);
    expect(output).toMatch(/HTTP 400 {2}ApiProxy is locked by another change/);
    // A save whose deploy call is refused for a moment (429, 503) is sent again: PATCH is idempotent.
    const accepted = Number(/received (\d+) accepted PATCHes on 55 proxies/.exec(output)?.[1]);
    expect(accepted).toBeGreaterThanOrEqual(55);
    expect(accepted).toBeLessThanOrEqual(60);
  }, 90_000);
});
