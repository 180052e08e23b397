// A Redis that speaks TLS only on its TLS port, with a certificate of a private CA: rediss:// with
// REDIS_TLS_CA_FILE connects; without the CA the certificate is refused (it is always verified).
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { OutageLog, redisConnection } from "../src/queue/redis-connections.js";
import type { RedisClient } from "../src/store/redis-client.js";
import { freePort, type RedisNode, startServer } from "./helpers/redis-topology.js";

const dir = mkdtempSync(join(tmpdir(), "enforcer-redis-tls-"));
const at = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });

/** A CA, and a server certificate it signed for 127.0.0.1 (EC keys: fast to make). */
function makeCertificates(): void {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
  );
  openssl("req", ...ec, "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(at("san.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    at("server.csr"),
    "-CA",
    at("ca.pem"),
    "-CAkey",
    at("ca.key"),
    "-CAcreateserial",
    "-out",
    at("server.pem"),
    "-days",
    "1",
    "-extfile",
    at("san.ext"),
  );
}

describe("Redis over TLS", () => {
  let redis: RedisNode;
  let tlsPort: number;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    makeCertificates();
    tlsPort = await freePort();
    const tls = [
      ["--tls-port", String(tlsPort)],
      ["--tls-cert-file", at("server.pem")],
      ["--tls-key-file", at("server.key")],
      ["--tls-ca-cert-file", at("ca.pem")],
      ["--tls-auth-clients", "no"],
    ].flat();
    // The plain port only tells the harness the server is up; the service uses the TLS one.
    redis = await startServer(await freePort(), ["--save", "", "--appendonly", "no", ...tls], dir);
  });
  afterAll(() => {
    for (const client of clients) client.disconnect();
    redis?.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = (env: Record<string, string>) => {
    const config = loadConfig({
      ENFORCER_AUTH: "disabled",
      REDIS_URL: `rediss://127.0.0.1:${tlsPort}`,
      ...env,
    });
    const client = redisConnection(config.redis, "worker", new OutageLog(pino({ level: "silent" })));
    clients.push(client);
    return client;
  };

  it("connects with rediss:// and the CA from REDIS_TLS_CA_FILE", async () => {
    const client = connect({ REDIS_TLS_CA_FILE: at("ca.pem") });
    expect(await client.ping()).toBe("PONG");
  });

  it("refuses the certificate without that CA", async () => {
    const client = connect({});
    const [error] = (await once(client, "error")) as [Error];
    expect(error.message).toMatch(/certificate/i);
  });
});
