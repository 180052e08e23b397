import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("npm run demo (short version)", () => {
  it("starts everything, runs the sample rollout to its end, and stops everything", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["dist/demo/main.js"],
      {
        env: { ...process.env, DEMO_SHORT: "1" },
        timeout: 60_000,
      },
    );
    const output = stdout + stderr;
    expect(output).toMatch(/Rollout \S+ failed: 60 targets: 55 succeeded, 2 failed, 3 skipped/);
    expect(output).toMatch(/HTTP 400 {2}ApiProxy is locked by another change/);
    expect(output).toMatch(/received 55 accepted PATCHes on 55 proxies/);
  }, 90_000);
});
