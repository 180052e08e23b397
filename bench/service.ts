// The service as the benchmarks run it: its environment (one gateway, from a gateways file), its
// API, and polling until a rollout is done.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_TOKEN } from "./processes.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const CALLER = "bench-caller-secret";

/** The policy every benchmark rolls out. */
export const BENCH_POLICY = {
  mtls: {
    enabled: true,
    keyStoreId: "ks-1",
    trustStoreId: "ts-1",
    supportedProtocolList: ["TLS_1_2", "TLS_1_3"],
    hostnameVerifierType: "STRICT",
  },
};

export interface BenchGateway {
  concurrency: number;
  targetsPerJob: number;
  /** Default: 100,000/s, so only latency and CPU limit a rollout. */
  rateLimitPerSecond?: number;
  /** false: the fixed rate (the behaviour before the adaptive rate). */
  adaptive?: boolean;
}

/** The service's environment; the gateway's settings come from a gateways file. */
export function serviceEnv(
  simulatorUrl: string,
  prefix: string,
  gateway: BenchGateway,
): Record<string, string> {
  const entry = {
    name: "default",
    baseUrl: simulatorUrl,
    tokenEnv: "BENCH_GATEWAY_TOKEN",
    rateLimitPerSecond: gateway.rateLimitPerSecond ?? 100_000,
    concurrency: gateway.concurrency,
    targetsPerJob: gateway.targetsPerJob,
    adaptive: gateway.adaptive ?? true,
  };
  return gatewaysEnv(prefix, [entry], gateway.concurrency);
}

/**
 * The service's environment for gateways-file entries (their token in BENCH_GATEWAY_TOKEN), on
 * the bench's Redis unless `redis` says otherwise.
 */
export function gatewaysEnv(
  prefix: string,
  gateways: Array<Record<string, unknown>>,
  concurrency: number,
  redis: Record<string, string> = { REDIS_URL },
): Record<string, string> {
  const file = join(tmpdir(), `bench-gateways-${prefix}.json`);
  writeFileSync(file, JSON.stringify({ gateways }));
  return {
    REDIS_URL: "",
    ...redis,
    PORT: "0",
    HOST: "127.0.0.1",
    ENFORCER_QUEUE_PREFIX: prefix,
    ENFORCER_GATEWAYS_FILE: file,
    BENCH_GATEWAY_TOKEN: BENCH_TOKEN,
    ENFORCER_API_TOKENS: `admin:bench:${CALLER}`,
    ENFORCER_WORKER_CONCURRENCY: String(concurrency),
    ENFORCER_BODY_LIMIT: "32mb",
    LOG_LEVEL: "warn",
  };
}

export interface Rollout {
  id: string;
  status: string;
  counts: { succeeded: number; failed: number; total: number };
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<Rollout> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Rollout;
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("benchmark step timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls the rollout until it ends (succeeded, failed or paused). */
export const finished = (url: string, id: string) =>
  until(async () => {
    const r = await api(url, "GET", `/v1/rollouts/${id}`);
    return ["succeeded", "failed", "paused"].includes(r.status) ? r : undefined;
  });

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
