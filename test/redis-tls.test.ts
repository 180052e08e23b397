// Redis over TLS with a certificate of a private CA: one node (rediss:// with REDIS_TLS_CA_FILE; the
// certificate is refused without the CA, it is always verified), a Cluster and a Sentinel set
// (REDIS_TLS=true: the connections to the nodes the cluster or the sentinel names use TLS too).
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { OutageLog, redisConnection } from "../src/queue/redis-connections.js";
import type { RedisClient } from "../src/store/redis-client.js";
import {
  freePort,
  LocalCluster,
  LocalSentinelSet,
  type RedisNode,
  SENTINEL_NAME,
  startServer,
} from "./helpers/redis-topology.js";
import { makeCertificates, type TlsFiles, tlsServerArgs } from "./helpers/tls-certificates.js";

describe("Redis over TLS", () => {
  const dir = mkdtempSync(join(tmpdir(), "enforcer-redis-tls-"));
  let files: TlsFiles;
  let single: RedisNode;
  let cluster: LocalCluster;
  let sentinelSet: LocalSentinelSet;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    files = makeCertificates(dir);
    // The plain port only tells the harness the server is up; the service uses the TLS one.
    const tlsPort = await freePort();
    single = { ...(await startServer(await freePort(), tlsServerArgs(files, tlsPort), dir)), tlsPort };
    cluster = await LocalCluster.start({ tls: files });
    sentinelSet = await LocalSentinelSet.start({ tls: files });
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    single?.child.kill("SIGKILL");
    await cluster?.stop();
    await sentinelSet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = (env: Record<string, string>) => {
    const config = loadConfig({ ENFORCER_AUTH: "disabled", ...env });
    const client = redisConnection(config.redis, "worker", new OutageLog(pino({ level: "silent" })));
    clients.push(client);
    return client;
  };

  it("one node: rediss:// and the CA from REDIS_TLS_CA_FILE", async () => {
    const client = connect({
      REDIS_URL: `rediss://127.0.0.1:${single.tlsPort}`,
      REDIS_TLS_CA_FILE: files.ca,
    });
    expect(await client.ping()).toBe("PONG");
  });

  it("one node: the certificate is refused without that CA", async () => {
    const client = connect({ REDIS_URL: `rediss://127.0.0.1:${single.tlsPort}` });
    const [error] = (await once(client, "error")) as [Error];
    expect(error.message).toMatch(/certificate/i);
  });

  it("a Cluster: REDIS_TLS=true reaches every master over TLS", async () => {
    const client = connect({
      REDIS_CLUSTER_NODES: cluster.seeds,
      REDIS_TLS: "true",
      REDIS_TLS_CA_FILE: files.ca,
    });
    const keys = ["{a}:k", "{b}:k", "{c}:k"];
    for (const key of keys) await client.set(key, key);
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys);
    // The slots lie on all three masters, each reached on its TLS port.
    const masters = "nodes" in client ? client.nodes("master").map((n) => n.options.port) : [];
    expect(masters.sort()).toEqual(cluster.nodes.map((n) => n.tlsPort).sort());
  });

  it("Sentinel: REDIS_TLS=true asks the sentinel over TLS and reaches the primary over TLS", async () => {
    const client = connect({
      REDIS_SENTINELS: sentinelSet.sentinels,
      REDIS_SENTINEL_NAME: SENTINEL_NAME,
      REDIS_TLS: "true",
      REDIS_TLS_CA_FILE: files.ca,
    });
    expect(await client.info("replication")).toMatch(/role:master/);
    expect(await sentinelSet.primaryPort()).toBe(sentinelSet.primary.tlsPort);
  });
});
