// The "one Redis node vs a 3-master cluster" case of `npm run bench`: two gateways (two simulator
// processes), one rollout on each at the same time, run by the same service processes (one `all`,
// one `worker`) against the single node and then against a local 3-master Redis Cluster. Reports
// targets/s and, summed over every Redis node, commands, CPU and bytes per target, and what that
// means for one node's capacity (Redis runs commands on one core).
// Sizes: BENCH_CLUSTER_TARGETS (4000, split over the two gateways), BENCH_CLUSTER_CONCURRENCY (32
// per gateway), with BENCH_LATENCY_MS as elsewhere.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { dropPrefix } from "../src/store/drop-prefix.js";
import { LocalCluster } from "../test/helpers/redis-topology.js";
import { processCpuSeconds, redisCounters } from "./cost.js";
import { type Child, startChild, startSimulatorProcess } from "./processes.js";
import { api, BENCH_POLICY, finished, gatewaysEnv, REDIS_URL } from "./service.js";

const TARGETS = Number(process.env.BENCH_CLUSTER_TARGETS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CLUSTER_CONCURRENCY ?? 32);
const GATEWAYS = ["north", "south"] as const;

interface Topology {
  name: string;
  /** The service's Redis settings. */
  env: Record<string, string>;
  /** A plain connection to every node that holds data (for INFO). */
  nodes: Redis[];
  /** Deletes a run's keys where they outlive the run (the shared single node). */
  drop?: (prefix: string) => Promise<unknown>;
}

interface Measured {
  rate: number;
  commands: number;
  redisCpuMs: number;
  serviceCpuMs: number;
  bytesPerTarget: number;
  /** Share of the commands each node ran. */
  spread: number[];
}

const usedMemory = async (redis: Redis) =>
  Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? Number.NaN);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function counters(nodes: Redis[]) {
  return Promise.all(nodes.map(async (n) => ({ ...(await redisCounters(n)), memory: await usedMemory(n) })));
}

const gatewayEntries = (simulators: string[]) =>
  GATEWAYS.map((name, i) => ({
    name,
    baseUrl: simulators[i],
    tokenEnv: "BENCH_GATEWAY_TOKEN",
    rateLimitPerSecond: 100_000,
    concurrency: CONCURRENCY,
  }));

/** Both gateways' rollouts at once through two service processes; measured until both end. */
async function run(topology: Topology, simulators: string[]): Promise<Measured> {
  const prefix = `bench-${randomBytes(3).toString("hex")}`;
  const env = gatewaysEnv(prefix, gatewayEntries(simulators), CONCURRENCY, topology.env);
  const services: Child[] = [];
  try {
    services.push(await startChild(["main.js", "all"], { ...env, LOG_LEVEL: "info" }, /API listening/));
    services.push(await startChild(["main.js", "worker"], { ...env, LOG_LEVEL: "info" }, /workers started/));
    const url = /"url":"(http:\/\/[^"]+)"/.exec(services[0]?.output.join("") ?? "")?.[1] ?? "";
    const pids = services.map((s) => s.process.pid ?? 0);
    const before = await counters(topology.nodes);
    const cpuBefore = sum(pids.map(processCpuSeconds));
    const started = performance.now();
    const created = await Promise.all(
      GATEWAYS.map((gateway) =>
        api(url, "POST", "/v1/rollouts", {
          gateway,
          policy: BENCH_POLICY,
          targets: { projects: ["*"] },
        }),
      ),
    );
    for (const r of created) if (r.id === undefined) throw new Error(`create refused: ${JSON.stringify(r)}`);
    const done = await Promise.all(created.map((r) => finished(url, r.id)));
    const seconds = (performance.now() - started) / 1000;
    const after = await counters(topology.nodes);
    const serviceCpu = sum(pids.map(processCpuSeconds)) - cpuBefore;
    const succeeded = sum(done.map((r) => r.counts.succeeded));
    if (succeeded !== TARGETS) throw new Error(`${topology.name}: ${succeeded} of ${TARGETS} succeeded`);
    const calls = after.map((a, i) => a.calls - (before[i]?.calls ?? 0));
    return {
      rate: succeeded / seconds,
      commands: sum(calls) / TARGETS,
      redisCpuMs: (sum(after.map((a, i) => a.cpuSeconds - (before[i]?.cpuSeconds ?? 0))) * 1000) / TARGETS,
      serviceCpuMs: (serviceCpu * 1000) / TARGETS,
      bytesPerTarget: sum(after.map((a, i) => a.memory - (before[i]?.memory ?? 0))) / TARGETS,
      spread: calls.map((c) => c / sum(calls)),
    };
  } finally {
    for (const s of services) await s.stop();
    await topology.drop?.(prefix);
  }
}

export async function clusterCase(latencyMs: number): Promise<string> {
  const simulators = await Promise.all(
    GATEWAYS.map(() =>
      startSimulatorProcess([
        "--projects",
        "4",
        "--proxies-per-project",
        String(TARGETS / GATEWAYS.length / 4),
        "--latency-ms",
        String(latencyMs),
      ]),
    ),
  );
  const single = new Redis(REDIS_URL);
  const cluster = await LocalCluster.start();
  const clusterNodes = cluster.nodes.map((n) => new Redis(n.port, "127.0.0.1"));
  try {
    const urls = simulators.map((s) => s.url);
    const rows: string[] = [];
    const topologies: Topology[] = [
      { name: "one node", env: { REDIS_URL }, nodes: [single], drop: (p: string) => dropPrefix(single, p) },
      { name: "3-master cluster", env: { REDIS_CLUSTER_NODES: cluster.seeds }, nodes: clusterNodes },
    ];
    for (const topology of topologies) {
      const m = await run(topology, urls);
      // Redis runs commands on one core: the busiest node's share of the CPU per target (taken as
      // its share of the commands) bounds the targets/s.
      const perNode = 1000 / (m.redisCpuMs * Math.max(...m.spread));
      rows.push(
        `| ${topology.name} | ${m.rate.toFixed(0)} | ${m.commands.toFixed(1)} | ${m.redisCpuMs.toFixed(3)} | ${m.serviceCpuMs.toFixed(3)} | ${m.bytesPerTarget.toFixed(0)} | ${m.spread.map((s) => `${(s * 100).toFixed(0)} %`).join(" / ")} | ${perNode.toFixed(0)} |`,
      );
      console.error(`done: ${topology.name}`);
    }
    return `Redis topologies: ${TARGETS} targets over two gateways (${CONCURRENCY} concurrent calls each), one rollout per gateway at the same time, one \`all\` and one \`worker\` process, simulator latency ${latencyMs} ms. Redis figures are summed over the nodes; the last column is the bound Redis sets: 1 s divided by the busiest node's share (its share of the commands) of the Redis CPU per target.

| Redis | targets/s | Redis cmds/target | Redis CPU ms/target | service CPU ms/target | Redis B/target | commands per node | targets/s with the busiest node at 100 % CPU |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}
`;
  } finally {
    single.disconnect();
    for (const n of clusterNodes) n.disconnect();
    await cluster.stop();
    for (const s of simulators) await s.child.stop();
  }
}
