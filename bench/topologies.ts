// `npm run bench:topologies`: only the "one Redis node vs a 3-master cluster" case of `npm run bench`
// (bench/cluster.ts), with the machine it ran on. Sizes as there (BENCH_CLUSTER_TARGETS, ...).
import { cpus, totalmem } from "node:os";
import { clusterCase } from "./cluster.js";

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const table = await clusterCase(latencyMs);
console.log(`
machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB RAM, Node ${process.version}

${table}`);
process.exit(0);
