// Measures the simulator's request rate: `npx tsx bench/simulator-throughput.ts [requests] [connections]`
// (after `npm run build`: the simulator runs compiled, from dist/).
// The simulator runs as its own process (as in the demo and benchmarks), the client here, on one machine.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

const total = Number(process.argv[2] ?? 50_000);
const connections = Number(process.argv[3] ?? 32);
const PROJECTS = 10;
const PER_PROJECT = 100;

const child = spawn(
  process.execPath,
  [
    fileURLToPath(new URL("../dist/simulator/main.js", import.meta.url)),
    "--port",
    "0",
    "--projects",
    `${PROJECTS}`,
  ],
  {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, SIMULATOR_PROXIES_PER_PROJECT: `${PER_PROJECT}`, SIMULATOR_TOKEN: "bench" },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
// Whatever happens below, the simulator does not outlive this script.
process.once("exit", () => child.kill("SIGKILL"));
const url = await new Promise<string>((resolve, reject) => {
  child.stdout.on("data", (chunk: Buffer) => {
    const found = /http:\/\/\S+/.exec(chunk.toString());
    if (found) resolve(found[0]);
  });
  child.once("exit", () => reject(new Error("simulator exited before listening")));
});

const pool = new Pool(url, { connections, pipelining: 1 });
const headers = { authorization: "Bearer bench", "content-type": "application/json" };
const body = JSON.stringify({
  enabled: true,
  keyStoreId: "ks",
  supportedProtocolList: ["TLS_1_2", "TLS_1_3"],
});
const statuses = new Map<number, number>();
let next = 0;

/** Half GET proxy, half PATCH mtls, spread over the fleet. */
async function worker(): Promise<void> {
  while (next < total) {
    const i = next++;
    const proxy = `proxy-${String((i % (PROJECTS * PER_PROJECT)) + 1).padStart(5, "0")}`;
    const project = `project-${String(Math.floor((i % (PROJECTS * PER_PROJECT)) / PER_PROJECT) + 1).padStart(3, "0")}`;
    const base = `/apiops/projects/${project}/apiProxies/${proxy}/`;
    const response =
      i % 2 === 0
        ? await pool.request({ method: "GET", path: base, headers })
        : await pool.request({ method: "PATCH", path: `${base}settings/mtls/`, headers, body });
    await response.body.dump();
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
const seconds = (performance.now() - started) / 1000;
console.log(
  `${total} requests over ${connections} connections in ${seconds.toFixed(2)} s: ` +
    `${Math.round(total / seconds)} req/s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
);
await pool.close();
child.kill("SIGTERM");
