import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";

const BASE = { ENFORCER_API_TOKENS: "admin:alice:long-enough-secret" };
const dir = mkdtempSync(join(tmpdir(), "enforcer-config-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("configuration", () => {
  it("applies the contract's defaults", () => {
    const c = loadConfig(BASE);
    expect(c).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      redis: { mode: "single", url: "redis://127.0.0.1:6379" },
      queuePrefix: "enforcer",
      workerConcurrency: 16,
      logLevel: "info",
      authDisabled: false,
      maxStreamsPerCaller: 10,
      maxSchedules: 1000,
      scheduleMinIntervalSeconds: 60,
    });
    expect(c.gateways.size).toBe(0);
  });

  it.each([
    [{ PORT: "http" }, "PORT"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL"],
    [{ ENFORCER_QUEUE_PREFIX: "a:b" }, "ENFORCER_QUEUE_PREFIX"],
    [{ ENFORCER_WORKER_CONCURRENCY: "0" }, "ENFORCER_WORKER_CONCURRENCY"],
    [{ ENFORCER_AUTH: "off" }, "ENFORCER_AUTH"],
    [{ ENFORCER_MAX_TARGETS: "0" }, "ENFORCER_MAX_TARGETS"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ ENFORCER_MAX_STREAMS_PER_CALLER: "0" }, "ENFORCER_MAX_STREAMS_PER_CALLER"],
    [{ ENFORCER_MAX_SCHEDULES: "-1" }, "ENFORCER_MAX_SCHEDULES"],
    [{ ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS: "1.5" }, "ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS"],
    [{ APINIZER_BASE_URL: "http://manager" }, "APINIZER_TOKEN"],
    [{ APINIZER_DEPLOY_STYLE: "patch" }, "APINIZER_DEPLOY_STYLE"],
    [{ APINIZER_DEPLOY_STATUS: "yes" }, "APINIZER_DEPLOY_STATUS"],
    [{ ENFORCER_API_TOKENS: "root:bob:long-enough-secret" }, "ENFORCER_API_TOKENS"],
    [{ ENFORCER_API_TOKENS: "" }, "ENFORCER_API_TOKENS"],
    [{ ENFORCER_GATEWAYS_FILE: "/no/such/file.json" }, "ENFORCER_GATEWAYS_FILE"],
    [{ APINIZER_BASE_URL: "http://m", APINIZER_TOKEN_FILE: "/no/such/token" }, "APINIZER_TOKEN_FILE"],
  ])("refuses %o naming %s", (env, variable) => {
    expect(() => loadConfig({ ...BASE, ...env })).toThrow(new RegExp(`^${variable}:`));
  });

  it("starts without callers only when auth is explicitly disabled", () => {
    expect(loadConfig({ ENFORCER_AUTH: "disabled" }).authDisabled).toBe(true);
  });

  it("reads tokens from files and never prints them in errors", () => {
    const token = file("token", "file-token-value\n");
    const c = loadConfig({ ...BASE, APINIZER_BASE_URL: "http://manager:8080/", APINIZER_TOKEN_FILE: token });
    expect(c.gateways.get("default")).toMatchObject({
      token: "file-token-value",
      deployStyle: "endpoint",
      deployStatus: "none",
    });
    const inline = loadConfig({
      ...BASE,
      APINIZER_BASE_URL: "http://manager:8080/",
      APINIZER_TOKEN: "t",
      APINIZER_DEPLOY_STYLE: "inline",
      APINIZER_DEPLOY_STATUS: "read",
    });
    expect(inline.gateways.get("default")).toMatchObject({ deployStyle: "inline", deployStatus: "read" });
    const gateways = file(
      "gateways.json",
      JSON.stringify({
        gateways: [
          {
            name: "eu",
            baseUrl: "https://eu.example/manager",
            tokenEnv: "EU_TOKEN",
            deployStyle: "inline",
            deployStatus: "read",
            concurrency: 4,
          },
          { name: "us", baseUrl: "https://us.example", tokenFile: token, rateLimitPerSecond: 5 },
        ],
      }),
    );
    const multi = loadConfig({ ...BASE, ENFORCER_GATEWAYS_FILE: gateways, EU_TOKEN: "eu-secret" });
    expect(multi.gateways.get("eu")).toMatchObject({
      deployStyle: "inline",
      deployStatus: "read",
      concurrency: 4,
      connections: 4,
      token: "eu-secret",
      maxTargets: 100_000,
    });
    const capped = loadConfig({
      ...BASE,
      ENFORCER_GATEWAYS_FILE: gateways,
      EU_TOKEN: "e",
      ENFORCER_MAX_TARGETS: "50",
    });
    expect([...capped.gateways.values()].map((g) => g.maxTargets)).toEqual([50, 50]);
    // The documented deploy endpoint unless a gateway says otherwise.
    expect(multi.gateways.get("us")).toMatchObject({
      deployStyle: "endpoint",
      deployStatus: "none",
      rateLimitPerSecond: 5,
      token: "file-token-value",
    });
    try {
      loadConfig({ ...BASE, ENFORCER_GATEWAYS_FILE: gateways });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toMatch(
        /^ConfigError: ENFORCER_GATEWAYS_FILE: gateway eu: no token in env EU_TOKEN/,
      );
      expect(String(error)).not.toContain("file-token-value");
    }
  });

  it("makes every gateway's rate adaptive by default, from the environment or the gateways file", () => {
    const base = { ...BASE, APINIZER_BASE_URL: "http://manager", APINIZER_TOKEN: "t" };
    expect(loadConfig(base).gateways.get("default")?.adaptive).toEqual({
      floor: 1,
      cut: 0.5,
      step: 2.5, // 5 % of the default 50/s per second
      latencyFactor: 3,
    });
    expect(loadConfig({ ...base, ENFORCER_ADAPTIVE_RATE: "false" }).gateways.get("default")?.adaptive).toBe(
      undefined,
    );
    const gateways = file(
      "adaptive.json",
      JSON.stringify({
        gateways: [
          { name: "fixed", baseUrl: "http://a", tokenEnv: "T", adaptive: false },
          {
            name: "tuned",
            baseUrl: "http://b",
            tokenEnv: "T",
            rateLimitPerSecond: 100,
            adaptiveFloor: 5,
            adaptiveCut: 0.7,
            adaptiveLatencyFactor: 0,
          },
        ],
      }),
    );
    const multi = loadConfig({
      ...BASE,
      ENFORCER_GATEWAYS_FILE: gateways,
      T: "t",
      ENFORCER_ADAPTIVE_STEP: "4",
    });
    expect(multi.gateways.get("fixed")?.adaptive).toBeUndefined();
    expect(multi.gateways.get("tuned")?.adaptive).toEqual({ floor: 5, cut: 0.7, step: 4, latencyFactor: 0 });
  });

  it.each([
    [{ ENFORCER_ADAPTIVE_RATE: "yes" }, "ENFORCER_ADAPTIVE_RATE"],
    [{ ENFORCER_ADAPTIVE_CUT: "1" }, "ENFORCER_ADAPTIVE_CUT"],
    [{ ENFORCER_ADAPTIVE_LATENCY_FACTOR: "0.5" }, "ENFORCER_ADAPTIVE_LATENCY_FACTOR"],
    [{ ENFORCER_ADAPTIVE_STEP: "0" }, "ENFORCER_ADAPTIVE_STEP"],
    [
      { APINIZER_BASE_URL: "http://m", APINIZER_TOKEN: "t", ENFORCER_ADAPTIVE_FLOOR: "60" },
      "ENFORCER_ADAPTIVE_FLOOR",
    ],
  ])("refuses adaptive settings %o naming %s", (env, variable) => {
    expect(() => loadConfig({ ...BASE, ...env })).toThrow(new RegExp(`^${variable}:`));
  });

  it("refuses a gateway whose adaptive floor is above its rate limit", () => {
    const path = file(
      "floor.json",
      JSON.stringify({
        gateways: [
          { name: "x", baseUrl: "http://x", tokenEnv: "T", rateLimitPerSecond: 5, adaptiveFloor: 10 },
        ],
      }),
    );
    expect(() => loadConfig({ ...BASE, ENFORCER_GATEWAYS_FILE: path, T: "t" })).toThrow(
      /^ENFORCER_GATEWAYS_FILE: gateway x: the adaptive floor \(10\/s\) is above/,
    );
  });

  it("rejects a gateways file with unknown fields, a ':' in a name, or two token sources", () => {
    const bad = [
      { name: "a:b", baseUrl: "http://x", tokenEnv: "T" },
      { name: "x", baseUrl: "http://x", tokenEnv: "T", tokenFile: "/t" },
      { name: "x", baseUrl: "http://x", tokenEnv: "T", proxy: "http://evil" },
    ];
    for (const gateway of bad) {
      const path = file("bad.json", JSON.stringify({ gateways: [gateway] }));
      expect(() => loadConfig({ ...BASE, ENFORCER_GATEWAYS_FILE: path, T: "t" })).toThrow(
        /^ENFORCER_GATEWAYS_FILE:/,
      );
    }
  });
});
