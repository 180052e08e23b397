// The "rate-limited manager" case of `npm run bench`: a manager that takes CAPACITY requests a second
// and refuses the rest (429 with Retry-After, or 503), a gateway configured for CEILING/s; the same
// rollout with the rate fixed at the ceiling and with the adaptive rate, in both job modes. Goodput
// (succeeded targets/s), the share of requests the manager refused (its own count), failed
// targets, and the Redis commands and service CPU per target.
// Sizes: BENCH_LIMITED_TARGETS (600), BENCH_LIMITED_CAPACITY (50), BENCH_LIMITED_CEILING (200),
// BENCH_LIMITED_ANSWERS ("429,503"), with BENCH_LATENCY_MS and BENCH_TARGETS_PER_JOB as elsewhere.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { startSimulator } from "../src/simulator/server.js";
import { dropPrefix } from "../src/store/drop-prefix.js";
import { processCpuSeconds, redisCounters } from "./cost.js";
import { BENCH_TOKEN, startChild } from "./processes.js";
import { api, finished, serviceEnv } from "./service.js";

const TARGETS = Number(process.env.BENCH_LIMITED_TARGETS ?? 600);
const CAPACITY = Number(process.env.BENCH_LIMITED_CAPACITY ?? 50);
const CEILING = Number(process.env.BENCH_LIMITED_CEILING ?? 200);
const ANSWERS = (process.env.BENCH_LIMITED_ANSWERS ?? "429,503").split(",").map(Number) as Array<429 | 503>;
const CONCURRENCY = 16;

interface Limited {
  goodput: number;
  refusedShare: number;
  failed: number;
  seconds: number;
  commands: number;
  serviceCpuMs: number;
}

async function limitedRun(
  redis: Redis,
  policy: unknown,
  latencyMs: number,
  answer: 429 | 503,
  perJob: number,
  adaptive: boolean,
): Promise<Limited> {
  // In this process, so its own counts of what it took and refused can be read.
  const sim = await startSimulator({
    token: BENCH_TOKEN,
    projects: 1,
    proxiesPerProject: TARGETS,
    latencyMs,
    capacity: { perSecond: CAPACITY, answer },
  });
  const prefix = `bench-${randomBytes(3).toString("hex")}`;
  const gateway = { concurrency: CONCURRENCY, targetsPerJob: perJob, rateLimitPerSecond: CEILING, adaptive };
  const env = serviceEnv(sim.url, prefix, gateway);
  const service = await startChild(["main.js", "all"], { ...env, LOG_LEVEL: "info" }, /API listening/);
  const url = /"url":"(http:\/\/[^"]+)"/.exec(service.output.join(""))?.[1] ?? "";
  const pid = service.process.pid ?? 0;
  sim.state.reset();
  const redisBefore = await redisCounters(redis);
  const cpuBefore = processCpuSeconds(pid);
  const started = performance.now();
  const created = await api(url, "POST", "/v1/rollouts", {
    policy,
    targets: { projects: ["*"] },
    strategy: { maxErrors: "100%" },
  });
  const done = await finished(url, created.id);
  const seconds = (performance.now() - started) / 1000;
  const serviceCpu = processCpuSeconds(pid) - cpuBefore;
  const redisAfter = await redisCounters(redis);
  const load = sim.state.loadBySecond();
  const accepted = load.reduce((sum, s) => sum + s.accepted, 0);
  const refused = load.reduce((sum, s) => sum + s.rejected, 0);
  await service.stop();
  await sim.close();
  await dropPrefix(redis, prefix);
  return {
    goodput: done.counts.succeeded / seconds,
    refusedShare: refused / (accepted + refused),
    failed: done.counts.failed,
    seconds,
    commands: (redisAfter.calls - redisBefore.calls) / TARGETS,
    serviceCpuMs: (serviceCpu * 1000) / TARGETS,
  };
}

/** Every answer × job mode × rate mode, once each; returns the markdown table. */
export async function rateLimitedManager(
  redis: Redis,
  latencyMs: number,
  perJobs: number[],
  policy: unknown,
): Promise<string> {
  const rows: string[] = [];
  for (const answer of ANSWERS) {
    for (const perJob of perJobs) {
      for (const adaptive of [false, true]) {
        const m = await limitedRun(redis, policy, latencyMs, answer, perJob, adaptive);
        const mode = perJob === 1 ? "per-proxy" : `batch (${perJob} per job)`;
        rows.push(
          `| ${answer} | ${mode} | ${adaptive ? "adaptive" : "fixed"} | ${m.goodput.toFixed(1)} | ${(m.refusedShare * 100).toFixed(1)} % | ${m.failed} | ${m.seconds.toFixed(1)} s | ${m.commands.toFixed(1)} | ${m.serviceCpuMs.toFixed(2)} |`,
        );
        console.error(`done: rate-limited manager, ${answer}, ${mode}, ${adaptive ? "adaptive" : "fixed"}`);
      }
    }
  }
  return `Rate-limited manager: ${TARGETS} proxies, the manager takes ${CAPACITY} requests in any second and
refuses the rest; gateway rateLimitPerSecond ${CEILING}, concurrency ${CONCURRENCY}, latency ${latencyMs} ms.

| manager answers | jobs | rate | goodput targets/s | requests refused | failed targets | duration | Redis cmds / target | service CPU ms / target |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}`;
}
