import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { type Runtime, startRuntime } from "../src/runtime.js";
import { startSimulator } from "../src/simulator/server.js";
import type { RunningSimulator } from "../src/simulator/types.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";
import { mtlsAsStored, POLICY, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

describe("several gateways", () => {
  const prefix = uniquePrefix("multi");
  let eu: RunningSimulator;
  let us: RunningSimulator;
  let runtime: Runtime;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKENS.admin}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    eu = await startSimulator({
      token: "eu-token-123",
      projects: 1,
      proxiesPerProject: 20,
      flavour: "newer",
    });
    us = await startSimulator({
      token: "us-token-456",
      projects: 2,
      proxiesPerProject: 5,
      flavour: "classic",
    });
    const dir = mkdtempSync(join(tmpdir(), "enforcer-multi-"));
    writeFileSync(join(dir, "us-token"), "us-token-456\n");
    writeFileSync(
      join(dir, "gateways.json"),
      JSON.stringify({
        gateways: [
          { name: "eu", baseUrl: eu.url, tokenEnv: "EU_TOKEN", rateLimitPerSecond: 1000 },
          {
            name: "us",
            baseUrl: `${us.url}/`,
            tokenFile: join(dir, "us-token"),
            deployStyle: "endpoint",
            generation: "classic",
          },
        ],
      }),
    );
    runtime = await startRuntime(
      loadConfig({
        REDIS_URL,
        PORT: "0",
        HOST: "127.0.0.1",
        ENFORCER_QUEUE_PREFIX: prefix,
        ENFORCER_GATEWAYS_FILE: join(dir, "gateways.json"),
        EU_TOKEN: "eu-token-123",
        ENFORCER_API_TOKENS: `admin:alice:${TOKENS.admin}`,
      }),
      "all",
      pino({ level: "silent" }),
    );
  });
  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([eu?.close(), us?.close()]);
    await dropPrefix(prefix);
  });

  it("sends each rollout only to the gateway it names, with that gateway's token and deploy style", async () => {
    const toEu = await api("POST", "/v1/rollouts", {
      gateway: "eu",
      policy: POLICY,
      targets: { projects: ["*"] },
    });
    // us is a classic manager: the same policy reaches it with the stores by name.
    const toUs = await api("POST", "/v1/rollouts", {
      gateway: "us",
      policy: POLICY,
      targets: { projects: ["*"] },
      deploy: { environments: ["production"] },
    });
    expect([toEu.status, toUs.status]).toEqual([202, 202]);
    for (const id of [toEu.body.id, toUs.body.id]) {
      await waitFor(`rollout ${id}`, async () => {
        const { body } = await api("GET", `/v1/rollouts/${id}`);
        return body.status === "succeeded" ? true : undefined;
      });
    }
    expect(eu.state.totalPatches()).toBe(20);
    expect(us.state.totalPatches()).toBe(10);
    expect(us.state.requestCounts()["POST deploy"]).toBe(10);
    expect(us.state.proxies()[0]?.mtls).toMatchObject(mtlsAsStored("classic"));
    expect(eu.state.proxies()[0]?.mtls).toMatchObject(mtlsAsStored("newer"));
    expect(eu.state.requestCounts()["POST deploy"]).toBeUndefined();

    const unknown = await api("POST", "/v1/rollouts", {
      gateway: "asia",
      policy: POLICY,
      targets: { projects: ["*"] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].message).toMatch(/known: eu, us/);
  });
});
