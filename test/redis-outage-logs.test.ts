// A Redis outage is one warn line per process and one info line when Redis is back, however many
// connections and BullMQ workers retry (before: ~9.5 error lines a second per worker).
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { type ServiceProcess, spawnService, track } from "./helpers/process.js";
import { harnessEnv } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startRedis(port: number): ChildProcess {
  return track(
    spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    ),
  );
}

describe("Redis outage logging", () => {
  const children: ChildProcess[] = [];
  let worker: ServiceProcess | undefined;
  afterAll(() => {
    worker?.child.kill("SIGKILL");
    for (const c of children) c.kill("SIGKILL");
  });

  it("one warn line when Redis goes away, one info line when it is back", async () => {
    const port = await freePort();
    children.push(startRedis(port));
    const env = {
      ...harnessEnv("http://127.0.0.1:9", `outage-${port}`),
      REDIS_URL: `redis://127.0.0.1:${port}`,
      LOG_LEVEL: "info",
    };
    worker = await spawnService("worker", env, /workers started/);
    const lines = (pattern: RegExp) =>
      (worker?.output.join("") ?? "").split("\n").filter((l) => pattern.test(l));

    children[0]?.kill("SIGKILL");
    await waitFor("the outage line", () => (lines(/Redis unavailable/).length > 0 ? true : undefined));
    // While Redis is away, a listener on its port counts the reconnect attempts and drops each:
    // the outage lasts until every connection has failed and retried many times.
    let attempts = 0;
    const refuser = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => refuser.listen(port, "127.0.0.1", resolve));
    await waitFor("20 reconnect attempts", () => (attempts >= 20 ? true : undefined), 30_000);
    await new Promise((resolve) => refuser.close(resolve));
    children.push(startRedis(port));
    await waitFor("the recovery line", () => (lines(/Redis back/).length > 0 ? true : undefined), 20_000);

    expect(lines(/Redis unavailable/)).toHaveLength(1);
    expect(lines(/Redis back/)).toHaveLength(1);
    expect(lines(/"level":50/)).toEqual([]);
    expect(JSON.parse(lines(/Redis unavailable/)[0] ?? "{}").level).toBe(40);
  }, 60_000);
});
