// `npm run bench`: end-to-end rollout throughput against a bare HTTP loop at the same concurrency,
// intake time of a 100k-target rollout, Redis memory per target and peak worker RSS.
// Sizes: BENCH_TARGETS (default 5000), BENCH_INTAKE_TARGETS (100000), BENCH_LATENCY_MS (20),
// BENCH_CONCURRENCY (16), REDIS_URL.
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { loadConfig } from "../src/config/config.js";
import { startRuntime } from "../src/runtime.js";
import { dropPrefix } from "../src/store/drop-prefix.js";
import { bareLoop } from "./baseline.js";
import { BENCH_TOKEN, type Child, peakRss, startChild, startSimulatorProcess } from "./processes.js";

const N = Number(process.env.BENCH_TARGETS ?? 5000);
const INTAKE_N = Number(process.env.BENCH_INTAKE_TARGETS ?? 100_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const CALLER = "bench-caller-secret";
const POLICY = {
  mtls: {
    enabled: true,
    keyStoreId: "ks-1",
    trustStoreId: "ts-1",
    supportedProtocolList: ["TLS_1_2", "TLS_1_3"],
    hostnameVerifierType: "STRICT",
  },
};

const redis = new Redis(REDIS_URL);
const usedMemory = async () =>
  Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? Number.NaN);

function serviceEnv(simulatorUrl: string, prefix: string): Record<string, string> {
  return {
    REDIS_URL,
    PORT: "0",
    HOST: "127.0.0.1",
    ENFORCER_QUEUE_PREFIX: prefix,
    APINIZER_BASE_URL: simulatorUrl,
    APINIZER_TOKEN: BENCH_TOKEN,
    ENFORCER_API_TOKENS: `admin:bench:${CALLER}`,
    ENFORCER_WORKER_CONCURRENCY: String(CONCURRENCY),
    ENFORCER_RATE_LIMIT_PER_SECOND: "100000",
    ENFORCER_BODY_LIMIT: "32mb",
    LOG_LEVEL: "warn",
  };
}

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as { id: string; status: string; counts: { succeeded: number } };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("benchmark step timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function endToEnd() {
  const projects = 5;
  const sim = await startSimulatorProcess([
    "--projects",
    String(projects),
    "--proxies-per-project",
    String(Math.ceil(N / projects)),
    "--latency-ms",
    String(LATENCY_MS),
  ]);
  const targets = Array.from({ length: N }, (_, i) => ({
    project: `project-${String(Math.floor(i / (N / projects)) + 1).padStart(3, "0")}`,
    proxy: `proxy-${String(i + 1).padStart(5, "0")}`,
  }));
  const baseline = await bareLoop(sim.url, BENCH_TOKEN, targets, POLICY.mtls, CONCURRENCY);

  const prefix = `bench-${randomBytes(3).toString("hex")}`;
  const env = serviceEnv(sim.url, prefix);
  const runtime = await startRuntime(loadConfig(env), "api", pino({ level: "warn" }));
  const worker: Child = await startChild(
    ["src/main.ts", "worker"],
    { ...env, LOG_LEVEL: "info" },
    /workers started/,
  );
  const memoryBefore = await usedMemory();
  const started = performance.now();
  const created = await api(runtime.url ?? "", "POST", "/v1/rollouts", {
    policy: POLICY,
    targets: { projects: ["*"] },
  });
  const done = await until(async () => {
    const r = await api(runtime.url ?? "", "GET", `/v1/rollouts/${created.id}`);
    return ["succeeded", "failed", "paused"].includes(r.status) ? r : undefined;
  });
  const seconds = (performance.now() - started) / 1000;
  const bytesPerTarget = ((await usedMemory()) - memoryBefore) / N;
  const rss = peakRss(worker.process.pid ?? 0);
  await worker.stop();
  await runtime.stop();
  await sim.child.stop();
  await dropPrefix(redis, prefix);
  return { baseline, seconds, done, bytesPerTarget, rss };
}

async function intake() {
  const projects = 10;
  const sim = await startSimulatorProcess([
    "--projects",
    String(projects),
    "--proxies-per-project",
    String(INTAKE_N / projects),
  ]);
  const prefix = `bench-${randomBytes(3).toString("hex")}`;
  const env = serviceEnv(sim.url, prefix);
  // The API and a worker in this process, with the target queue paused: planning and fan-out only.
  const runtime = await startRuntime(loadConfig(env), "all", pino({ level: "warn" }));
  const queue = new Queue("targets-default", { connection: redis, prefix });
  await queue.pause();
  const memoryBefore = await usedMemory();
  const started = performance.now();
  const created = await api(runtime.url ?? "", "POST", "/v1/rollouts", {
    policy: POLICY,
    targets: { projects: ["*"] },
  });
  const answeredMs = performance.now() - started;
  await until(async () => {
    const counts = await queue.getJobCounts();
    return Object.values(counts).reduce((a, b) => a + b, 0) >= INTAKE_N ? true : undefined;
  });
  const seconds = (performance.now() - started) / 1000;
  const bytesPerTarget = ((await usedMemory()) - memoryBefore) / INTAKE_N;
  await api(runtime.url ?? "", "POST", `/v1/rollouts/${created.id}/cancel`);
  await queue.obliterate({ force: true });
  await queue.close();
  await runtime.stop();
  await sim.child.stop();
  await dropPrefix(redis, prefix);
  return { answeredMs, seconds, bytesPerTarget };
}

const e2e = await endToEnd();
const rate = e2e.done.counts.succeeded / e2e.seconds;
const baseRate = e2e.baseline.ok / e2e.baseline.seconds;
const big = await intake();
const redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1];
redis.disconnect();

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
console.log(`
machine: ${cpus().length} × ${cpus()[0]?.model}, ${mb(totalmem())} RAM, Node ${process.version}, Redis ${redisVersion}
workload: ${N} proxies, simulator latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY} (one worker process)

| measure | value |
|---|---|
| bare HTTP loop (baseline) | ${baseRate.toFixed(0)} PATCH/s (${e2e.baseline.ok}/${N} ok in ${e2e.baseline.seconds.toFixed(2)} s) |
| end-to-end rollout | ${rate.toFixed(0)} targets/s (${e2e.done.status}, ${e2e.done.counts.succeeded} succeeded in ${e2e.seconds.toFixed(2)} s) |
| ratio end-to-end / baseline | ${(rate / baseRate).toFixed(2)} |
| ideal at this latency and concurrency | ${((CONCURRENCY * 1000) / LATENCY_MS).toFixed(0)} /s |
| Redis per finished target (records only) | ${e2e.bytesPerTarget.toFixed(0)} B |
| peak worker RSS | ${mb(e2e.rss)} |
| 100k intake: API answer | ${big.answeredMs.toFixed(0)} ms |
| 100k intake: planned + all jobs queued | ${big.seconds.toFixed(2)} s |
| Redis per queued target (record + job) | ${big.bytesPerTarget.toFixed(0)} B |
`);
