import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";

describe("Redis unreachable", () => {
  let h: Harness;
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis call fails.
    h = await startHarness(
      "redis-down",
      { projects: 1, proxiesPerProject: 2 },
      { REDIS_URL: "redis://127.0.0.1:1" },
      { mode: "api" },
    );
  });
  afterAll(() => h?.stop());

  it("answers 503 'unavailable' (never a 500 or a hang) and stays alive", async () => {
    expect((await h.api("GET", "/healthz", undefined, { token: null })).status).toBe(200);
    const ready = await h.api("GET", "/readyz", undefined, { token: null });
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe("unavailable");
    for (const [method, path, body] of [
      ["GET", "/v1/rollouts", undefined],
      ["GET", "/v1/rollouts/r000000000abcdefgh", undefined],
      ["POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } }],
    ] as const) {
      const started = Date.now();
      const res = await h.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.body).toMatchObject({ error: "unavailable", message: expect.stringMatching(/Redis/) });
      expect(Date.now() - started).toBeLessThan(5000);
    }
    const metrics = await h.api("GET", "/metrics", undefined, { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^enforcer_redis_up 0$/m);
    // Bad input is still a 400: validation comes before any Redis call.
    expect((await h.api("POST", "/v1/rollouts", { policy: {} })).status).toBe(400);
  });
});
