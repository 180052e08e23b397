// `npm run demo` (runs dist/demo/main.js): a simulated Apinizer manager, the whole service and a
// sample rollout with waves and live progress, on this machine; everything it starts is stopped
// at the end.
// DEMO_SHORT=1 runs a small, fast version (used by the test suite).
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pino from "pino";
import { run } from "../cli/main.js";
import { loadConfig } from "../config/config.js";
import { startRuntime } from "../runtime.js";
import { startSimulator } from "../simulator/server.js";
import { dropPrefix } from "../store/drop-prefix.js";
import { demoRedis } from "./redis.js";

const short = process.env.DEMO_SHORT === "1";
const GATEWAY_TOKEN = randomBytes(12).toString("hex");
const CALLER_TOKEN = randomBytes(12).toString("hex");

const redis = await demoRedis();
if (redis === undefined) process.exit(1);

// 300 proxies in 4 projects (a few AI proxies, two that the manager refuses), a little latency
// and a few 503/429 answers: the rollout shows retries, skips and failures on the way.
const perProject = short ? 15 : 75;
const proxyName = (n: number) => `proxy-${String(n).padStart(5, "0")}`;
const simulator = await startSimulator({
  projects: 4,
  proxiesPerProject: perProject,
  aiEvery: 20,
  latencyMs: short ? 0 : [15, 60],
  seed: 42,
  token: GATEWAY_TOKEN,
  faults: { rate503: 0.03, rate429: 0.01, retryAfterSeconds: 1, appliesTo: "writes" },
  permanentFailures: [
    {
      project: "project-002",
      proxy: proxyName(perProject + 7),
      message: "KeyStore keystore-id-123 is not visible to this project",
    },
    {
      project: "project-003",
      proxy: proxyName(2 * perProject + 1),
      message: "ApiProxy is locked by another change",
    },
  ],
});
const prefix = `demo-${randomBytes(3).toString("hex")}`;
const runtime = await startRuntime(
  loadConfig({
    REDIS_URL: redis.url,
    HOST: "127.0.0.1",
    PORT: "0",
    ENFORCER_QUEUE_PREFIX: prefix,
    APINIZER_BASE_URL: simulator.url,
    APINIZER_TOKEN: GATEWAY_TOKEN,
    ENFORCER_API_TOKENS: `admin:demo:${CALLER_TOKEN}`,
    ENFORCER_WORKER_CONCURRENCY: "8",
    ENFORCER_RATE_LIMIT_PER_SECOND: "200",
  }),
  "all",
  pino({ level: "warn" }),
);
console.log(`Apinizer simulator: ${simulator.url} (${simulator.state.proxies().length} proxies)`);
console.log(`Service API:        ${runtime.url}   (token for this run: ${CALLER_TOKEN})`);
console.log(`Metrics:            ${runtime.url}/metrics`);
// Not a plain link: the board is an admin route, and a browser sends no bearer token by itself.
console.log(
  `Queue board:        ${runtime.url}/admin/queues (while the demo runs; every request needs the header\n` +
    `                    "Authorization: Bearer ${CALLER_TOKEN}", e.g. from a header-setting browser extension)\n`,
);

const file = fileURLToPath(new URL("../../examples/rollout.json", import.meta.url));
console.log(`$ enforcer apply -f examples/rollout.json --watch\n`);
const code = await run(["apply", "-f", file, "--watch", "--url", runtime.url ?? "", "--token", CALLER_TOKEN]);

const patched = simulator.state.proxies().filter((p) => p.patchCount > 0).length;
console.log(
  `\nThe simulated manager received ${simulator.state.totalPatches()} accepted PATCHes on ${patched} proxies.`,
);
console.log(
  `enforcer exited ${code} (1 = finished with failed targets: the two proxies the manager refuses).`,
);

await runtime.stop();
await simulator.close();
const cleanup = new Redis(redis.url);
await dropPrefix(cleanup, prefix);
cleanup.disconnect();
redis.stop();
// The demo worked if the rollout ran to an end (succeeded or failed); anything else is a problem.
process.exit(code === 0 || code === 1 ? 0 : code);
