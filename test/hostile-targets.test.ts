import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/server.js";
import type { RunningSimulator, SeedProject } from "../src/simulator/types.js";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { dropPrefix, uniquePrefix } from "./helpers/redis.js";
import { GATEWAY_TOKEN, type Harness, harnessEnv, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const pad = (i: number) => String(i).padStart(4, "0");

describe("globs that make a backtracking regex run for hours", () => {
  // 70-character names: 10 end in "b" (the include matches them), 100 end in digits.
  const matching = Array.from({ length: 10 }, (_, i) => `${"a".repeat(65)}${pad(i)}b`);
  const other = Array.from({ length: 100 }, (_, i) => `${"a".repeat(66)}${pad(i)}`);
  const FLEET: SeedProject[] = [{ name: "Long", proxies: [...matching, ...other].map((name) => ({ name })) }];
  let sim: RunningSimulator;
  let service: ServiceProcess | undefined;
  let url = "";
  const prefix = uniquePrefix("globs");

  beforeAll(async () => {
    sim = await startSimulator({ token: GATEWAY_TOKEN, fleet: FLEET });
    // A process of its own: were its event loop blocked, this test's requests would still time out.
    service = await spawnService(
      "all",
      { ...harnessEnv(sim.url, prefix), LOG_LEVEL: "info" },
      /API listening/,
    );
    url = /"url":"(http:[^"]+)"/.exec(service.output.join(""))?.[1] ?? "";
  });
  afterAll(async () => {
    service?.child.kill("SIGKILL");
    await sim?.close();
    await dropPrefix(prefix);
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKENS.admin}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A blocked event loop answers nothing: give up instead of hanging the test.
      signal: AbortSignal.timeout(2000),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it("plans in milliseconds, and /healthz answers all along", async () => {
    const created = await call("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Long"], include: ["*a*a*a*a*a*a*a*a*a*b"], exclude: ["*?*?*?*?*?*?*?*?!"] },
    });
    expect(created.status).toBe(202);
    const health: Array<number | string> = [];
    const done = await waitFor(`rollout ${created.body.id} to finish`, async () => {
      health.push(await call("GET", "/healthz").then((r) => r.status, String));
      const { body } = await call("GET", `/v1/rollouts/${created.body.id}`);
      return ["succeeded", "failed", "paused"].includes(body.status) ? body : undefined;
    });
    expect(health.filter((status) => status !== 200)).toEqual([]);
    expect(done.status).toBe("succeeded");
    expect(done.counts.succeeded).toBe(10);
    expect(sim.state.totalPatches()).toBe(10);
    for (const name of matching) expect(sim.state.proxy("Long", name)?.patchCount).toBe(1);
  });
});

describe("repeated names and the target ceiling", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "dups",
      { fleet: [{ name: "P", proxies: [{ name: "a1" }, { name: "a2" }, { name: "a3" }, { name: "a4" }] }] },
      { ENFORCER_MAX_TARGETS: "3" },
    );
  });
  afterAll(() => h?.stop());

  it("a project named five times gives one target and one PATCH per proxy", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["P", "P", "P", "P", "P"], proxies: ["a1", "a2", "a1"], include: ["a*", "a*"] },
    });
    expect(created.status).toBe(202);
    expect(created.body.targets).toEqual({ projects: ["P"], proxies: ["a1", "a2"], include: ["a*"] });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    expect(done.status).toBe("succeeded");
    expect(done.counts.total).toBe(2);
    expect(h.sim.state.proxy("P", "a1")?.patchCount).toBe(1);
    expect(h.sim.state.proxy("P", "a2")?.patchCount).toBe(1);
  });

  it("a body may lower ENFORCER_MAX_TARGETS but not raise it; above it, nothing is sent", async () => {
    const above = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["P"] },
      strategy: { maxTargets: 4 },
    });
    expect(above.status).toBe(400);
    expect(above.body.details).toEqual([
      { path: "strategy.maxTargets", message: "at most 3 (ENFORCER_MAX_TARGETS)" },
    ]);

    const patches = h.sim.state.totalPatches();
    for (const [strategy, reason] of [
      [undefined, "the targets resolve to 4 proxies, more than ENFORCER_MAX_TARGETS 3; nothing was sent"],
      [{ maxTargets: 2 }, "the targets resolve to 4 proxies, more than maxTargets 2; nothing was sent"],
    ] as const) {
      const created = await h.api("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["P"] },
        strategy,
      });
      const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
      expect(done).toMatchObject({ status: "failed", failureReason: reason });
    }
    expect(h.sim.state.totalPatches()).toBe(patches);
  });
});

describe("names from the gateway that are not well-formed UTF-16", () => {
  const BROKEN = "orders-\uD800";
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("lone", {
      fleet: [
        { name: "P", proxies: [{ name: "orders-1" }, { name: BROKEN }, { name: "orders-2" }] },
        { name: "Q\uDC00", proxies: [{ name: "q-1" }] },
      ],
    });
  });
  afterAll(() => h?.stop());

  const failures = [
    {
      project: "P",
      proxy: "orders-\uFFFD",
      status: "failed",
      error: {
        message: "proxy name is not well-formed Unicode (lone surrogate); it cannot be addressed in a URL",
      },
    },
    {
      project: "Q\uFFFD",
      proxy: "*",
      status: "failed",
      error: {
        message: "project name is not well-formed Unicode (lone surrogate); it cannot be addressed in a URL",
      },
    },
  ];

  it("become failed targets with the reason; the others succeed and the rollout finishes", async () => {
    const patches = h.sim.state.totalPatches();
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { maxErrors: 2 },
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    // Failed, as any rollout with failed targets within its error budget ends.
    expect(done.status).toBe("failed");
    expect(done.counts).toMatchObject({ total: 4, succeeded: 2, failed: 2 });
    const targets = await h.api("GET", `/v1/rollouts/${created.body.id}/targets`);
    expect(targets.body.items.slice(2)).toMatchObject(failures);
    expect(h.sim.state.proxy("P", BROKEN)?.patchCount).toBe(0);
    expect(h.sim.state.totalPatches()).toBe(patches + 2);
  });

  it("a paused rollout holding them can be cancelled", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { waves: [1, "100%"], pauseBetweenWaves: true, maxErrors: 2 },
    });
    await h.waitForStatus(created.body.id, ["paused"]);
    const cancelled = await h.api("POST", `/v1/rollouts/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const targets = await h.api("GET", `/v1/rollouts/${created.body.id}/targets`);
    expect(targets.body.items.slice(2)).toMatchObject(failures);
  });
});
