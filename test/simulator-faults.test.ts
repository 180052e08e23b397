// Fault injection, latency and the request bookkeeping: rates, determinism, hangs, resets, concurrency.
import { Pool } from "undici";
import { describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/server.js";
import type { RunningSimulator, SimulatorOptions } from "../src/simulator/types.js";
import { call, mtlsPath, patchMtls } from "./helpers/simulator-http.js";
import { waitFor } from "./helpers/wait.js";

async function withSimulator<T>(
  options: SimulatorOptions,
  run: (sim: RunningSimulator) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await run(sim);
  } finally {
    await sim.close();
  }
}

/** Statuses of `count` GETs sent over a bounded pool, in completion order. */
async function statuses(sim: RunningSimulator, count: number, connections: number): Promise<number[]> {
  const pool = new Pool(sim.url, { connections });
  try {
    return await Promise.all(
      Array.from({ length: count }, async () => {
        const response = await pool.request({ method: "GET", path: "/apiops/projects/" });
        await response.body.dump();
        return response.statusCode;
      }),
    );
  } finally {
    await pool.close();
  }
}

async function sequentialStatuses(sim: RunningSimulator, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await call(sim, "GET", "/apiops/projects/")).status);
  return result;
}

describe("fault injection", () => {
  it("answers 503 at the configured rate, within tolerance, with an error envelope", async () => {
    await withSimulator({ seed: 42, faults: { rate503: 0.1 } }, async (sim) => {
      const result = await statuses(sim, 2000, 16);
      const unavailable = result.filter((status) => status === 503).length;
      expect(unavailable / 2000).toBeGreaterThanOrEqual(0.07);
      expect(unavailable / 2000).toBeLessThanOrEqual(0.13);
      expect(result.filter((status) => status !== 503).every((status) => status === 200)).toBe(true);
      expect(sim.state.requestCounts()["GET projects"]).toBe(2000);
      sim.state.update({ faults: { rate503: 1 } });
      const answer = await call(sim, "GET", "/apiops/projects/");
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ status: "FAILURE", resultMessage: expect.any(String) });
    });
    await withSimulator({ flavour: "classic", faults: { rate503: 1 } }, async (sim) => {
      const answer = await call(sim, "GET", "/apiops/projects/");
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({
        error: "temporarily_unavailable",
        error_description: expect.any(String),
      });
    });
  });

  it("faults the same requests for the same seed, and others for another seed", async () => {
    const run = (seed: number) =>
      withSimulator({ seed, faults: { rate503: 0.2, rate429: 0.1 } }, (sim) => sequentialStatuses(sim, 200));
    const [first, again, other] = [await run(7), await run(7), await run(8)];
    expect(first).toEqual(again);
    expect(other).not.toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(429);
  });

  it("answers 429 with Retry-After (header; classic also in the body)", async () => {
    await withSimulator({ faults: { rate429: 1, retryAfterSeconds: 3 } }, async (sim) => {
      const answer = await call(sim, "GET", "/apiops/projects/");
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toBe("3");
      expect(answer.json.status).toBe("FAILURE");
    });
    await withSimulator({ flavour: "classic", faults: { rate429: 1, retryAfterSeconds: 2 } }, async (sim) => {
      const answer = await call(sim, "GET", "/apiops/projects/");
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toBe("2");
      expect(answer.json).toEqual({ error: "rate_limit_exceeded", retry_after: 2 });
    });
  });

  it("destroys the connection on a reset, and changes nothing", async () => {
    await withSimulator({ projects: 1, proxiesPerProject: 1, faults: { rateReset: 1 } }, async (sim) => {
      const failed = patchMtls(sim, "project-001", "proxy-00001", { hostnameVerifierType: "STRICT" });
      await expect(failed).rejects.toThrow(TypeError);
      const record = sim.state.proxy("project-001", "proxy-00001");
      expect(record).toMatchObject({ patchCount: 0, patchRequests: 1 });
      expect(record?.mtls.hostnameVerifierType).toBe("NOOP");
    });
  });

  it("never answers a hung request; close() still returns at once", async () => {
    await withSimulator({ faults: { rateHang: 1 } }, async (sim) => {
      const started = Date.now();
      const hung = call(sim, "GET", "/apiops/projects/", { signal: AbortSignal.timeout(300) });
      await expect(hung).rejects.toThrow(/aborted|timeout/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // A second hung request still open when the simulator closes.
      const open = call(sim, "GET", "/apiops/test/healthcheck").catch((error: unknown) => error);
      const received = () => Object.values(sim.state.requestCounts()).reduce((a, b) => a + b, 0);
      await waitFor("the second request to arrive", () => (received() >= 2 ? true : undefined));
      const closing = Date.now();
      await sim.close();
      expect(Date.now() - closing).toBeLessThan(500);
      expect(await open).toBeInstanceOf(Error);
    });
  });

  it("limits faults to PATCH and POST when appliesTo is writes", async () => {
    await withSimulator(
      { projects: 1, proxiesPerProject: 1, faults: { rate503: 1, appliesTo: "writes" } },
      async (sim) => {
        expect((await call(sim, "GET", "/apiops/projects/")).status).toBe(200);
        expect((await patchMtls(sim, "project-001", "proxy-00001", { enabled: false })).status).toBe(503);
        expect(sim.state.proxy("project-001", "proxy-00001")?.patchCount).toBe(0);
      },
    );
  });

  it("decides faults before auth and validation", async () => {
    await withSimulator({ token: "secret", faults: { rate503: 1 } }, async (sim) => {
      expect((await call(sim, "GET", "/apiops/projects/")).status).toBe(503);
      sim.state.update({ faults: {} });
      expect((await call(sim, "GET", "/apiops/projects/")).status).toBe(401);
    });
  });
});

describe("latency and bookkeeping", () => {
  it("delays answers by a fixed latency or one within a range", async () => {
    await withSimulator({ latencyMs: 80 }, async (sim) => {
      const started = performance.now();
      await call(sim, "GET", "/apiops/projects/");
      expect(performance.now() - started).toBeGreaterThanOrEqual(75);
      sim.state.update({ latencyMs: [20, 40] });
      for (let i = 0; i < 3; i++) {
        const begin = performance.now();
        await call(sim, "GET", "/apiops/projects/");
        const took = performance.now() - begin;
        expect(took).toBeGreaterThanOrEqual(18);
        expect(took).toBeLessThan(200);
      }
    });
  });

  it("reports the peak number of simultaneous requests", async () => {
    await withSimulator({ latencyMs: 250 }, async (sim) => {
      await Promise.all(Array.from({ length: 20 }, () => call(sim, "GET", "/apiops/projects/")));
      expect(sim.state.peakConcurrency()).toBe(20);
      await call(sim, "GET", "/apiops/projects/");
      expect(sim.state.peakConcurrency()).toBe(20);
    });
  });

  it("counts requests by method and route template, and PATCHes per proxy", async () => {
    await withSimulator({ projects: 1, proxiesPerProject: 2 }, async (sim) => {
      await call(sim, "GET", "/apiops/test/healthcheck");
      await call(sim, "GET", "/apiops/projects/");
      await call(sim, "GET", "/apiops/projects/project-001/apiProxies/");
      await call(sim, "GET", "/apiops/projects/project-001/apiProxies/proxy-00001/");
      await call(sim, "GET", "/apiops/projects/project-001/apiProxies/proxy-00001/full");
      await patchMtls(sim, "project-001", "proxy-00001", { enabled: false });
      await patchMtls(sim, "project-001", "proxy-00001", { enabled: true });
      await call(sim, "PATCH", mtlsPath("project-001", "proxy-00002"), { body: { enabled: false } });
      await call(sim, "POST", "/apiops/projects/project-001/apiProxies/proxy-00002/environments/test/");
      await call(sim, "GET", "/apiops/nothing/");
      expect(sim.state.requestCounts()).toEqual({
        "GET healthcheck": 1,
        "GET projects": 1,
        "GET proxies": 1,
        "GET proxy": 1,
        "GET proxy full": 1,
        "PATCH mtls": 3,
        "POST deploy": 1,
        "GET unknown": 1,
      });
      expect(sim.state.proxy("project-001", "proxy-00001")).toMatchObject({
        patchCount: 1,
        patchRequests: 2,
      });
      expect(sim.state.proxy("project-001", "proxy-00002")).toMatchObject({
        patchCount: 1,
        patchRequests: 1,
      });
      expect(sim.state.totalPatches()).toBe(2);
    });
  });

  it("closes at once with idle keep-alive connections open", async () => {
    const sim = await startSimulator();
    const pool = new Pool(sim.url, { connections: 4 });
    await Promise.all(
      Array.from({ length: 8 }, async () =>
        (await pool.request({ method: "GET", path: "/apiops/projects/" })).body.dump(),
      ),
    );
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(500);
    await pool.destroy();
  });
});
