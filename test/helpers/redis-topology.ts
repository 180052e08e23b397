// Throwaway Redis topologies for tests: a node of its own, a 3-master Cluster, and a primary +
// replica + sentinel set.
// Every server runs on ports the OS just handed out (two suites on one machine never meet), keeps
// nothing on disk but its config in a temp dir, and is killed (and the dir removed) by `stop()`, or
// by test/setup.ts after the file whatever happened.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { track } from "./process.js";
import { type TlsFiles, tlsServerArgs } from "./tls-certificates.js";
import { waitFor } from "./wait.js";

const run = promisify(execFile);
const HOST = "127.0.0.1";

/**
 * Below Linux's ephemeral range (32768-60999), so no outgoing connection takes the port between
 * this check and the server's bind; random, so suites running side by side pick different ones.
 */
const PORTS = { from: 20_000, count: 12_000 };

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORTS.from + Math.floor(Math.random() * PORTS.count);
    if (await isFree(port)) return port;
  }
  throw new Error("no free port found");
}

export interface RedisNode {
  port: number;
  /** Where it serves TLS too, if it does. */
  tlsPort?: number;
  child: ChildProcess;
  output: string[];
}

/** Runs `redis-cli -p port ...args` and answers its output. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-h", HOST, "-p", String(port), ...args]);
  return stdout.trim();
}

/** Any answer counts, a refusal too (NOAUTH from a server that wants a password). */
async function answers(port: number): Promise<true | undefined> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    enableReadyCheck: false,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping().catch((error: Error) => {
      if (error.name !== "ReplyError") throw error;
    });
    return true;
  } finally {
    redis.disconnect();
  }
}

/** `redis-server` (or a sentinel, with `--sentinel` in args) on `port`, ready to answer. */
export async function startServer(port: number, args: string[], dir: string): Promise<RedisNode> {
  const child = track(
    spawn("redis-server", [...args, "--port", String(port), "--bind", HOST, "--dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  await waitFor(`redis-server on ${port}`, () => {
    if (child.exitCode !== null) throw new Error(`exited: ${output.join("").slice(-1000)}`);
    return answers(port);
  });
  return { port, child, output };
}

/** The port clients use: the TLS one where the node serves TLS. */
export const clientPort = (node: RedisNode): number => node.tlsPort ?? node.port;

/** No RDB, no AOF: nothing survives a kill, as with a node that lost its disk. */
const EPHEMERAL = ["--save", "", "--appendonly", "no"];

abstract class Topology {
  readonly dir = mkdtempSync(join(tmpdir(), "enforcer-redis-"));
  readonly nodes: RedisNode[] = [];

  async stop(): Promise<void> {
    const exits = this.nodes
      .filter((n) => n.child.exitCode === null && n.child.signalCode === null)
      .map((n) => new Promise((resolve) => n.child.once("exit", resolve)));
    for (const node of this.nodes) node.child.kill("SIGKILL");
    await Promise.all(exits);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One plain node of its own, for a test that changes server-wide settings (SLOWLOG, CONFIG). */
export class LocalNode extends Topology {
  get url(): string {
    return `redis://${HOST}:${this.nodes[0]?.port}`;
  }

  static async start(): Promise<LocalNode> {
    const local = new LocalNode();
    try {
      local.nodes.push(await startServer(await freePort(), EPHEMERAL, local.dir));
      return local;
    } catch (error) {
      await local.stop();
      throw error;
    }
  }
}

/** Three masters, no replicas: every slot covered, `cluster_state:ok` on every node. */
export class LocalCluster extends Topology {
  /** Milliseconds from the first spawn to cluster_state:ok everywhere. */
  formedInMs = 0;

  /** The nodes' addresses as clients use them: their TLS ports when they serve TLS. */
  get seeds(): string {
    return this.nodes.map((n) => `${HOST}:${clientPort(n)}`).join(",");
  }

  /**
   * With `tls`, the nodes also serve TLS and talk TLS on the cluster bus, and answer TLS clients
   * with their TLS ports; the plain ports stay for the harness (readiness, redis-cli).
   */
  static async start(options: { masters?: number; tls?: TlsFiles } = {}): Promise<LocalCluster> {
    const cluster = new LocalCluster();
    const { masters = 3, tls } = options;
    try {
      const started = Date.now();
      for (let i = 0; i < masters; i++) {
        // The bus port is chosen too: port + 10000 may be taken, or beyond 65535.
        const [port, bus] = [await freePort(), await freePort()];
        const tlsPort = tls === undefined ? undefined : await freePort();
        const tlsArgs =
          tls === undefined || tlsPort === undefined
            ? []
            : [...tlsServerArgs(tls, tlsPort), "--tls-cluster", "yes"];
        const args = [
          ...tlsArgs,
          ...EPHEMERAL,
          "--cluster-enabled",
          "yes",
          "--cluster-port",
          String(bus),
          "--cluster-config-file",
          join(cluster.dir, `nodes-${port}.conf`),
        ];
        cluster.nodes.push({ ...(await startServer(port, args, cluster.dir)), tlsPort });
      }
      const addresses = cluster.nodes.map((n) => `${HOST}:${n.port}`);
      await run("redis-cli", [
        "--cluster",
        "create",
        ...addresses,
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ]);
      await waitFor(
        "cluster_state:ok on every node",
        async () => {
          const infos = await Promise.all(cluster.nodes.map((n) => cli(n.port, "CLUSTER", "INFO")));
          return infos.every((info) => info.includes("cluster_state:ok")) ? true : undefined;
        },
        20_000,
      );
      cluster.formedInMs = Date.now() - started;
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }
}

export const SENTINEL_NAME = "enforcer-primary";

/** One primary, one replica of it, one sentinel watching them with short timeouts. */
export class LocalSentinelSet extends Topology {
  primary!: RedisNode;
  replica!: RedisNode;
  sentinel!: RedisNode;

  get sentinels(): string {
    return `${HOST}:${clientPort(this.sentinel)}`;
  }

  /** The primary's port as the sentinel tells clients now. */
  async primaryPort(): Promise<number> {
    const [, port] = (
      await cli(this.sentinel.port, "SENTINEL", "get-master-addr-by-name", SENTINEL_NAME)
    ).split("\n");
    return Number(port);
  }

  /**
   * With `tls`, every server also serves TLS, replication and the sentinel's links use it, and the
   * sentinel hands out TLS ports; the plain ports stay for the harness (readiness, redis-cli).
   */
  static async start(options: { downAfterMs?: number; tls?: TlsFiles } = {}): Promise<LocalSentinelSet> {
    const { downAfterMs = 1000, tls } = options;
    const set = new LocalSentinelSet();
    const server = async (args: string[]) => {
      const [port, tlsPort] = [await freePort(), tls && (await freePort())];
      const tlsArgs = tls && tlsPort ? [...tlsServerArgs(tls, tlsPort), "--tls-replication", "yes"] : [];
      const node = { ...(await startServer(port, [...args, ...tlsArgs], set.dir)), tlsPort };
      set.nodes.push(node);
      return node;
    };
    try {
      set.primary = await server(EPHEMERAL);
      set.replica = await server([...EPHEMERAL, "--replicaof", HOST, String(clientPort(set.primary))]);
      await waitFor("the replica to be in sync", async () =>
        (await cli(set.replica.port, "INFO", "replication")).includes("master_link_status:up")
          ? true
          : undefined,
      );
      // The sentinel rewrites its config file (what it learnt): it must be its own, in the temp dir.
      const conf = join(set.dir, "sentinel.conf");
      writeFileSync(
        conf,
        [
          `sentinel monitor ${SENTINEL_NAME} ${HOST} ${clientPort(set.primary)} 1`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} ${downAfterMs}`,
          `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
          "",
        ].join("\n"),
      );
      set.sentinel = await server([conf, "--sentinel"]);
      // A sentinel knows the replica only once it has asked the primary (INFO, every 10 s at first).
      await waitFor(
        "the sentinel to know the replica",
        async () =>
          (await cli(set.sentinel.port, "SENTINEL", "replicas", SENTINEL_NAME)).includes(
            String(clientPort(set.replica)),
          )
            ? true
            : undefined,
        20_000,
        100,
      );
      return set;
    } catch (error) {
      await set.stop();
      throw error;
    }
  }
}
