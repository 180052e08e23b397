import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config/config.js";
import type { DeployStyle } from "../../src/gateway/types.js";
import { createLogger } from "../../src/log.js";
import { type Mode, type Runtime, startRuntime } from "../../src/runtime.js";
import { startSimulator } from "../../src/simulator/server.js";
import type { Flavour, RunningSimulator, SimulatorOptions } from "../../src/simulator/types.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./redis.js";
import { waitFor } from "./wait.js";

export const GATEWAY_TOKEN = "gw-secret-token-3f9a7c1e";
export const TOKENS = { admin: "admin-secret-1", operator: "operator-secret-1", viewer: "viewer-secret-1" };

export interface Harness {
  sim: RunningSimulator;
  runtime: Runtime;
  url: string;
  prefix: string;
  /** The environment the service was configured from (for spawning more processes like it). */
  env: Record<string, string>;
  /** Every log line the service wrote. */
  logs: string[];
  api(
    method: string,
    path: string,
    body?: unknown,
    init?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  waitForStatus(id: string, statuses: string[], timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

/** The service's environment in tests: a fast lock and reconciler, no rate limit to speak of. */
export function harnessEnv(simulatorUrl: string, prefix: string): Record<string, string> {
  return {
    REDIS_URL,
    PORT: "0",
    HOST: "127.0.0.1",
    ENFORCER_QUEUE_PREFIX: prefix,
    APINIZER_BASE_URL: simulatorUrl,
    APINIZER_TOKEN: GATEWAY_TOKEN,
    ENFORCER_API_TOKENS: `admin:alice:${TOKENS.admin},operator:olga:${TOKENS.operator},viewer:victor:${TOKENS.viewer}`,
    ENFORCER_RATE_LIMIT_PER_SECOND: "10000",
    ENFORCER_GATEWAY_TIMEOUT_MS: "2000",
    ENFORCER_LOCK_DURATION_MS: "5000",
    ENFORCER_RECONCILE_AFTER_MS: "3000",
    LOG_LEVEL: "debug",
  };
}

/** A simulator and the whole service (API + workers) in this process, on a prefix of its own. */
export async function startHarness(
  name: string,
  simOptions: SimulatorOptions = {},
  env: Record<string, string> = {},
  options: {
    mode?: Mode;
    /** The `default` gateway's manager, when not the simulator (e.g. test/helpers/openapi-mock.ts). */
    managerUrl?: string;
    /** Settings of the `default` gateway that only a gateways file can hold. */
    gateway?: {
      deployStyle?: DeployStyle;
      deployStatus?: "none" | "read";
      readBack?: "none" | "full";
      concurrency?: number;
      rateLimitPerSecond?: number;
      targetsPerJob?: number;
      generation?: "newer" | "classic";
      storeFields?: "id" | "name";
    };
  } = {},
): Promise<Harness> {
  const sim = await startSimulator({ token: GATEWAY_TOKEN, ...simOptions });
  const prefix = uniquePrefix(name);
  // The gateway is configured for the generation of its manager, as an operator would.
  const generation = simOptions.flavour ?? "newer";
  const managerUrl = options.managerUrl ?? sim.url;
  const base = { ...harnessEnv(managerUrl, prefix), APINIZER_GENERATION: generation };
  if (options.gateway !== undefined) {
    // The per-gateway settings only exist in a gateways file.
    const file = join(mkdtempSync(join(tmpdir(), "enforcer-")), "gateways.json");
    const gateway = {
      name: "default",
      baseUrl: managerUrl,
      tokenEnv: "GW_TOKEN",
      generation,
      ...options.gateway,
    };
    writeFileSync(file, JSON.stringify({ gateways: [gateway] }));
    Object.assign(base, { APINIZER_BASE_URL: "", ENFORCER_GATEWAYS_FILE: file, GW_TOKEN: GATEWAY_TOKEN });
  }
  const processEnv = { ...base, ...env };
  const config = loadConfig(processEnv);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  // The service's own logger (its redaction included), writing here.
  const runtime = await startRuntime(config, options.mode ?? "all", createLogger("debug", sink));
  const url = runtime.url ?? "";

  const api: Harness["api"] = async (method, path, body, init = {}) => {
    const token = init.token === undefined ? TOKENS.admin : init.token;
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined && headers["content-type"] === undefined)
      headers["content-type"] = "application/json";
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  };

  return {
    sim,
    runtime,
    url,
    prefix,
    env: processEnv,
    logs,
    api,
    waitForStatus: (id, statuses, timeoutMs = 20_000) =>
      waitFor(
        `rollout ${id} to be ${statuses.join("|")}`,
        async () => {
          const { body } = await api("GET", `/v1/rollouts/${id}`);
          return statuses.includes(body.status) ? body : undefined;
        },
        timeoutMs,
      ),
    async stop() {
      await runtime.stop();
      await sim.close();
      await dropPrefix(prefix);
    },
  };
}

export const POLICY = {
  mtls: {
    enabled: true,
    keyStoreId: "keystore-id-123",
    trustStoreId: "truststore-id-456",
    supportedProtocolList: ["TLS_1_2", "TLS_1_3"],
    hostnameVerifierType: "STRICT",
  },
} as const;

/** POLICY's mTLS settings as a manager of this generation holds them: classic names the stores. */
export function mtlsAsStored(flavour: Flavour): Record<string, unknown> {
  if (flavour === "newer") return POLICY.mtls;
  const { keyStoreId, trustStoreId, ...rest } = POLICY.mtls;
  return { ...rest, keyStoreName: keyStoreId, trustStoreName: trustStoreId };
}
