// `npm run bench`: end-to-end rollout throughput and cost per target against a bare HTTP loop
// at the same concurrency, measured in the same run; then the intake of a 100k-target rollout.
// Sizes: BENCH_TARGETS (default 5000), BENCH_INTAKE_TARGETS (100000), BENCH_LATENCY_MS (20),
// BENCH_CONCURRENCY (comma-separated, default "16,64"), BENCH_TARGETS_PER_JOB (job modes, "1,16"),
// BENCH_RUNS (1), BENCH_RATE_MODES (the gateway's rate, "fixed,adaptive"), REDIS_URL; then the
// rate-limited manager case (bench/rate-limited.ts; BENCH_LIMITED_TARGETS=0 skips it), then one Redis
// node vs a local 3-master cluster (bench/cluster.ts; BENCH_CLUSTER_TARGETS=0 skips it). Run it on a
// quiet machine: Redis counters are server-wide.
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";
import pino from "pino";
import { loadConfig } from "../src/config/config.js";
import { startRuntime } from "../src/runtime.js";
import { dropPrefix } from "../src/store/drop-prefix.js";
import { bareLoop } from "./baseline.js";
import { clusterCase } from "./cluster.js";
import { processCpuSeconds, redisCounters } from "./cost.js";
import { BENCH_TOKEN, peakRss, startChild, startSimulatorProcess } from "./processes.js";
import { rateLimitedManager } from "./rate-limited.js";
import { api, finished, median, BENCH_POLICY as POLICY, REDIS_URL, serviceEnv, until } from "./service.js";

const N = Number(process.env.BENCH_TARGETS ?? 5000);
const INTAKE_N = Number(process.env.BENCH_INTAKE_TARGETS ?? 100_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? "16,64").split(",").map(Number);
const PER_JOB = (process.env.BENCH_TARGETS_PER_JOB ?? "1,16").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const RATE_MODES = (process.env.BENCH_RATE_MODES ?? "fixed,adaptive").split(",");

const redis = new Redis(REDIS_URL);
const usedMemory = async () =>
  Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? Number.NaN);

interface Measured {
  rate: number;
  baseRate: number;
  commands: number;
  redisCpuMs: number;
  serviceCpuMs: number;
  loopCpuMs: number;
  bytesPerTarget: number;
  rss: number;
}

/** One rollout of N proxies through one `npm start`-style process, beside the bare loop. */
async function endToEnd(
  simulatorUrl: string,
  concurrency: number,
  perJob: number,
  adaptive: boolean,
): Promise<Measured> {
  const projects = 5;
  const targets = Array.from({ length: N }, (_, i) => ({
    project: `project-${String(Math.floor(i / (N / projects)) + 1).padStart(3, "0")}`,
    proxy: `proxy-${String(i + 1).padStart(5, "0")}`,
  }));
  const loopCpu = process.cpuUsage();
  const baseline = await bareLoop(simulatorUrl, BENCH_TOKEN, targets, POLICY.mtls, concurrency);
  const loopUsage = process.cpuUsage(loopCpu);

  const prefix = `bench-${randomBytes(3).toString("hex")}`;
  const env = serviceEnv(simulatorUrl, prefix, { concurrency, targetsPerJob: perJob, adaptive });
  const service = await startChild(["main.js", "all"], { ...env, LOG_LEVEL: "info" }, /API listening/);
  const url = /"url":"(http:\/\/[^"]+)"/.exec(service.output.join(""))?.[1] ?? "";
  const pid = service.process.pid ?? 0;
  const memoryBefore = await usedMemory();
  const redisBefore = await redisCounters(redis);
  const cpuBefore = processCpuSeconds(pid);
  const started = performance.now();
  const created = await api(url, "POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
  const done = await finished(url, created.id);
  const seconds = (performance.now() - started) / 1000;
  const serviceCpu = processCpuSeconds(pid) - cpuBefore;
  const redisAfter = await redisCounters(redis);
  const bytesPerTarget = ((await usedMemory()) - memoryBefore) / N;
  const rss = peakRss(pid);
  await service.stop();
  await dropPrefix(redis, prefix);
  if (done.status !== "succeeded") throw new Error(`rollout ended ${done.status}`);
  return {
    rate: done.counts.succeeded / seconds,
    baseRate: baseline.ok / baseline.seconds,
    // Polling the rollout costs a few commands per 50 ms: small next to N targets, and counted.
    commands: (redisAfter.calls - redisBefore.calls) / N,
    redisCpuMs: ((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1000) / N,
    serviceCpuMs: (serviceCpu * 1000) / N,
    loopCpuMs: (loopUsage.user + loopUsage.system) / 1000 / N,
    bytesPerTarget,
    rss,
  };
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
  const env = serviceEnv(sim.url, prefix, { concurrency: 16, targetsPerJob: 1 });
  // The API and the workers in this process: listing, planning and the first dispatch window.
  const runtime = await startRuntime(loadConfig(env), "all", pino({ level: "warn" }));
  const memoryBefore = await usedMemory();
  const started = performance.now();
  const created = await api(runtime.url ?? "", "POST", "/v1/rollouts", {
    policy: POLICY,
    targets: { projects: ["*"] },
  });
  const answeredMs = performance.now() - started;
  await until(async () => {
    const r = await api(runtime.url ?? "", "GET", `/v1/rollouts/${created.id}`);
    return r.status !== "planning" && r.counts.total === INTAKE_N ? true : undefined;
  });
  const seconds = (performance.now() - started) / 1000;
  await api(runtime.url ?? "", "POST", `/v1/rollouts/${created.id}/pause`);
  const bytesPerTarget = ((await usedMemory()) - memoryBefore) / INTAKE_N;
  const cancelStarted = performance.now();
  await api(runtime.url ?? "", "POST", `/v1/rollouts/${created.id}/cancel`);
  const cancelMs = performance.now() - cancelStarted;
  await runtime.stop();
  await sim.child.stop();
  await dropPrefix(redis, prefix);
  return { answeredMs, seconds, bytesPerTarget, cancelMs };
}

const rows: string[] = [];
const sim = await startSimulatorProcess([
  "--projects",
  "5",
  "--proxies-per-project",
  String(Math.ceil(N / 5)),
  "--latency-ms",
  String(LATENCY_MS),
]);
for (const concurrency of CONCURRENCIES) {
  for (const perJob of PER_JOB) {
    for (const rateMode of RATE_MODES) {
      const runs: Measured[] = [];
      for (let run = 0; run < RUNS; run++)
        runs.push(await endToEnd(sim.url, concurrency, perJob, rateMode === "adaptive"));
      const m = (pick: (r: Measured) => number) => median(runs.map(pick));
      const mode = perJob === 1 ? "per-proxy" : `batch (${perJob} per job)`;
      rows.push(
        `| ${concurrency} | ${mode} | ${rateMode} | ${m((r) => r.rate).toFixed(0)} | ${m((r) => r.baseRate).toFixed(0)} | ${m((r) => r.rate / r.baseRate).toFixed(2)} | ${m((r) => r.commands).toFixed(1)} | ${m((r) => r.redisCpuMs).toFixed(3)} | ${m((r) => r.serviceCpuMs).toFixed(3)} | ${m((r) => r.loopCpuMs).toFixed(3)} | ${m((r) => r.bytesPerTarget).toFixed(0)} | ${(m((r) => r.rss) / 1024 / 1024).toFixed(0)} MB |`,
      );
      console.error(`done: concurrency ${concurrency}, ${mode}, ${rateMode} rate`);
    }
  }
}
await sim.child.stop();
const big = await intake();
const limitedTargets = Number(process.env.BENCH_LIMITED_TARGETS ?? 1);
const limited = limitedTargets > 0 ? await rateLimitedManager(redis, LATENCY_MS, PER_JOB, POLICY) : "";
const clusterTargets = Number(process.env.BENCH_CLUSTER_TARGETS ?? 1);
const topologies = clusterTargets > 0 ? await clusterCase(LATENCY_MS) : "";
const redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1];
redis.disconnect();

console.log(`
machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB RAM, Node ${process.version}, Redis ${redisVersion}
workload: ${N} proxies, simulator latency ${LATENCY_MS} ms, one service process (API + workers), medians of ${RUNS} run(s)

Per target: Redis commands (INFO commandstats delta, Lua-internal included), Redis CPU (INFO cpu
delta), service CPU (/proc of the service process) and the bare loop's own CPU.

| concurrency | jobs | rate | targets/s | bare loop PATCH/s | ratio | Redis cmds | Redis CPU ms | service CPU ms | loop CPU ms | Redis B/target | service RSS |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

| 100k-target intake | value |
|---|---|
| API answers 202 | ${big.answeredMs.toFixed(0)} ms |
| listed, planned, every target stored, first window queued | ${big.seconds.toFixed(2)} s |
| Redis per planned target | ${big.bytesPerTarget.toFixed(0)} B |
| cancel of the 100k-target rollout (HTTP, batches of 1,000) | ${big.cancelMs.toFixed(0)} ms |

${limited}

${topologies}
`);
