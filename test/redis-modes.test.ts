import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, Worker } from "bullmq";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { OutageLog, redisConnection } from "../src/queue/redis-connections.js";
import type { RedisClient } from "../src/store/redis-client.js";
import { uniquePrefix } from "./helpers/redis.js";
import { freePort, LocalCluster } from "./helpers/redis-topology.js";
import { waitFor } from "./helpers/wait.js";

const BASE = { ENFORCER_API_TOKENS: "admin:alice:long-enough-secret" };
const PASSWORD = "redis-pass-5b1e9d";
const dir = mkdtempSync(join(tmpdir(), "enforcer-redis-config-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const redisOf = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }).redis;

describe("Redis configuration", () => {
  it("is one node at the default URL unless told otherwise", () => {
    expect(redisOf({})).toEqual({
      mode: "single",
      url: "redis://127.0.0.1:6379",
      username: undefined,
      password: undefined,
      tls: undefined,
    });
  });

  it("moves a URL's credentials out of the URL, and rediss:// turns TLS on", () => {
    const ca = file("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(
      redisOf({ REDIS_URL: `rediss://app:${PASSWORD}@redis.internal:6380/2`, REDIS_TLS_CA_FILE: ca }),
    ).toEqual({
      mode: "single",
      url: "rediss://redis.internal:6380/2",
      username: "app",
      password: PASSWORD,
      tls: { ca: expect.stringContaining("BEGIN CERTIFICATE") },
    });
    expect(redisOf({ REDIS_URL: "rediss://redis.internal:6380" }).tls).toEqual({});
  });

  it("reads Sentinel mode, with its own password and TLS towards sentinels and nodes", () => {
    expect(
      redisOf({
        REDIS_SENTINELS: " s1.internal:26379, [::1]:26380 ,10.0.0.3:26379",
        REDIS_SENTINEL_NAME: "mymaster",
        REDIS_SENTINEL_PASSWORD_FILE: file("sentinel-pass", "sentinel-pass-1\n"),
        REDIS_USERNAME: "enforcer",
        REDIS_PASSWORD_FILE: file("pass", `${PASSWORD}\n`),
        REDIS_TLS: "true",
      }),
    ).toEqual({
      mode: "sentinel",
      sentinels: [
        { host: "s1.internal", port: 26379 },
        { host: "::1", port: 26380 },
        { host: "10.0.0.3", port: 26379 },
      ],
      name: "mymaster",
      sentinelPassword: "sentinel-pass-1",
      username: "enforcer",
      password: PASSWORD,
      tls: {},
    });
  });

  it("reads Cluster mode", () => {
    expect(redisOf({ REDIS_CLUSTER_NODES: "n1:7000,n2:7001", REDIS_PASSWORD: PASSWORD })).toEqual({
      mode: "cluster",
      nodes: [
        { host: "n1", port: 7000 },
        { host: "n2", port: 7001 },
      ],
      username: undefined,
      password: PASSWORD,
      tls: undefined,
    });
  });

  const cluster = { REDIS_CLUSTER_NODES: "n1:7000" };
  const sentinel = { REDIS_SENTINELS: "s1:26379", REDIS_SENTINEL_NAME: "mymaster" };
  it.each([
    [{ ...cluster, ...sentinel }, "REDIS_SENTINELS, REDIS_CLUSTER_NODES"],
    [{ ...cluster, REDIS_URL: "redis://r:6379" }, "REDIS_URL, REDIS_CLUSTER_NODES"],
    [{ REDIS_SENTINELS: "s1:26379" }, "REDIS_SENTINEL_NAME"],
    [{ ...cluster, REDIS_SENTINEL_NAME: "mymaster" }, "REDIS_SENTINEL_NAME"],
    [{ ...sentinel, REDIS_SENTINEL_NAME: "my master" }, "REDIS_SENTINEL_NAME"],
    [{ ...cluster, REDIS_SENTINEL_PASSWORD: "x" }, "REDIS_SENTINEL_PASSWORD"],
    [{ REDIS_CLUSTER_NODES: " , " }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "n1:7000,,n2:7001" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "n1" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "n1:0" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "n1:65536" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "n1:7000/x" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "evil host:7000" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "[:::::]:7000" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "redis://n1:7000" }, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "N1:7000,n1:7000" }, "REDIS_CLUSTER_NODES"],
    [
      { REDIS_CLUSTER_NODES: Array.from({ length: 65 }, (_, i) => `n${i}:7000`).join(",") },
      "REDIS_CLUSTER_NODES",
    ],
    [{ ...sentinel, REDIS_SENTINELS: "s1:26379,s1:26379" }, "REDIS_SENTINELS"],
    [{ REDIS_URL: "http://r:6379" }, "REDIS_URL"],
    [{ REDIS_URL: "redis://r:6379", REDIS_TLS: "true" }, "REDIS_TLS"],
    [{ ...cluster, REDIS_TLS: "yes" }, "REDIS_TLS"],
    [{ ...cluster, REDIS_TLS_CA_FILE: "/etc/ca.pem" }, "REDIS_TLS_CA_FILE"],
    [{ ...cluster, REDIS_TLS: "true", REDIS_TLS_CA_FILE: "/no/such/ca.pem" }, "REDIS_TLS_CA_FILE"],
    [{ ...cluster, REDIS_PASSWORD_FILE: "/no/such/password" }, "REDIS_PASSWORD_FILE"],
    [{ REDIS_URL: "redis://:a-password@r:6379", REDIS_PASSWORD: PASSWORD }, "REDIS_PASSWORD"],
    [{ REDIS_URL: "redis://app:pw@r:6379", REDIS_USERNAME: "other" }, "REDIS_USERNAME"],
    [{ ...cluster, REDIS_USERNAME: "a b" }, "REDIS_USERNAME"],
  ])("refuses %o naming %s", (env, variable) => {
    expect(() => redisOf(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it("never puts the password in an error", () => {
    const envs: Array<Record<string, string>> = [
      { REDIS_CLUSTER_NODES: `n1:${PASSWORD}`, REDIS_PASSWORD: PASSWORD },
      { REDIS_URL: `redis://:${PASSWORD}@r:6379`, REDIS_PASSWORD: PASSWORD },
      { REDIS_URL: `redis://:${PASSWORD}@r:6379`, REDIS_TLS: "true" },
      { REDIS_URL: `redis://:${PASSWORD}@r:6379`, ...cluster },
    ];
    for (const env of envs) {
      let message = "";
      try {
        redisOf(env);
      } catch (error) {
        message = String(error);
      }
      expect(message).toMatch(/^ConfigError: REDIS_/);
      expect(message).not.toContain(PASSWORD);
    }
  });
});

describe("the outage log, in every mode", () => {
  it.each([
    ["cluster", (port: number) => ({ REDIS_CLUSTER_NODES: `127.0.0.1:${port}` })],
    ["sentinel", (port: number) => ({ REDIS_SENTINELS: `127.0.0.1:${port}`, REDIS_SENTINEL_NAME: "gone" })],
  ])("%s: one warn line however many attempts fail", async (_mode, envOf) => {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    // Nobody listens there: every attempt fails.
    const redis = redisConnection(redisOf(envOf(await freePort())), "worker", new OutageLog(log));
    let failures = 0;
    redis.on("error", () => failures++);
    redis.on("node error", () => failures++);
    try {
      await waitFor("five failed attempts", () => (failures >= 5 ? true : undefined));
    } finally {
      redis.disconnect();
    }
    expect(lines.filter((line) => line.includes("Redis unavailable"))).toHaveLength(1);
  });
});

describe("a local 3-master Redis Cluster", () => {
  let cluster: LocalCluster;
  const clients: RedisClient[] = [];
  const closing: Array<{ close(): Promise<void> }> = [];
  const log = pino({ level: "silent" });
  // As in the service, the request role has no offline queue: it is used once ready.
  const connect = async (role: "worker" | "request" | "queue", config = clusterConfig()) => {
    const client = redisConnection(config, role, new OutageLog(log));
    clients.push(client);
    if (client.status !== "ready") await once(client, "ready");
    return client;
  };
  const clusterConfig = () => loadConfig({ ...BASE, REDIS_CLUSTER_NODES: cluster.seeds }).redis;

  beforeAll(async () => {
    cluster = await LocalCluster.start();
    console.info(`cluster: 3 masters formed in ${cluster.formedInMs} ms`);
  });
  afterAll(async () => {
    for (const c of closing) await c.close();
    for (const client of clients) client.disconnect();
    await cluster?.stop();
  });

  it("is reached by the service's connection factory, keys spread over the masters", async () => {
    const redis = await connect("request");
    await redis.set("{a}:k", "1");
    await redis.set("{b}:k", "2");
    await redis.set("{c}:k", "3");
    expect(await Promise.all(["{a}:k", "{b}:k", "{c}:k"].map((k) => redis.get(k)))).toEqual(["1", "2", "3"]);
    const perMaster = await Promise.all(
      cluster.nodes.map(async (n) =>
        (
          await connect("request", loadConfig({ ...BASE, REDIS_URL: `redis://127.0.0.1:${n.port}` }).redis)
        ).dbsize(),
      ),
    );
    expect(perMaster.filter((count) => count > 0).length).toBeGreaterThan(1);
  });

  it("runs a BullMQ queue whose name carries a hash tag", async () => {
    const prefix = uniquePrefix("cluster");
    const name = "{t1}";
    const queue = new Queue(name, { connection: await connect("queue"), prefix });
    const processed: unknown[] = [];
    const worker = new Worker(
      name,
      async (job) => {
        processed.push(job.data);
        return "done";
      },
      { connection: await connect("worker"), prefix },
    );
    closing.push(worker, queue);
    const done = new Promise((resolve, reject) => {
      worker.once("completed", resolve);
      worker.once("failed", (_job, err) => reject(err));
    });
    await queue.add("hello", { n: 1 });
    await done;
    expect(processed).toEqual([{ n: 1 }]);
    expect(await queue.getJobCounts("completed", "wait", "active")).toEqual({
      completed: 1,
      wait: 0,
      active: 0,
    });
  });

  it("refuses a script whose keys lie in different slots (why every key of a queue needs one hash tag)", async () => {
    const redis = await connect("request");
    await expect(
      redis.eval(
        "return redis.call('MGET', KEYS[1], KEYS[2])",
        2,
        "enforcer:control:wait",
        "enforcer:control:id",
      ),
    ).rejects.toThrow(/CROSSSLOT/);
  });
});
