// The service against a Redis that only lets an ACL user in: the password (from a file) works, and
// it appears in no log line, error, response or metric, whether it is right or wrong.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RedisNode, startServer } from "./helpers/redis-topology.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const USER = "enforcer";
const PASSWORD = "acl-pass-7c2d4e9a";
const WRONG = "wrong-pass-3f8b1c6d";

describe("Redis with an ACL user and a password file", () => {
  const dir = mkdtempSync(join(tmpdir(), "enforcer-redis-auth-"));
  let redis: RedisNode;
  const harnesses: Harness[] = [];

  beforeAll(async () => {
    const acl = ["--user", "default", "off", "--user", USER, "on", `>${PASSWORD}`, "~*", "&*", "+@all"];
    redis = await startServer(await freePort(), ["--save", "", "--appendonly", "no", ...acl], dir);
  });
  afterAll(async () => {
    for (const h of harnesses) await h.stop();
    redis?.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (name: string, password: Record<string, string>) => {
    const h = await startHarness(
      name,
      { projects: 1, proxiesPerProject: 5 },
      { REDIS_URL: `redis://127.0.0.1:${redis.port}`, REDIS_USERNAME: USER, ...password },
      { mode: name === "redis-auth" ? "all" : "api" },
    );
    harnesses.push(h);
    return h;
  };
  const leaks = (h: Harness, ...texts: string[]) =>
    [...h.logs, ...texts].filter((t) => t.includes(PASSWORD) || t.includes(WRONG));

  it("works with the password from REDIS_PASSWORD_FILE, which is nowhere to be seen", async () => {
    const file = join(dir, "password");
    writeFileSync(file, `${PASSWORD}\n`);
    const h = await start("redis-auth", { REDIS_PASSWORD_FILE: file });
    expect((await h.api("GET", "/readyz", undefined, { token: null })).status).toBe(200);
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done.counts).toMatchObject({ succeeded: 5, total: 5 });
    const answers = await Promise.all(
      ["/v1/rollouts", `/v1/rollouts/${created.body.id}`, "/v1/audit", "/metrics"].map((path) =>
        h.api("GET", path),
      ),
    );
    expect(leaks(h, ...answers.map((a) => JSON.stringify(a.body)))).toEqual([]);
  });

  it("a wrong password: 503 and one warn line naming the refusal, never either password", async () => {
    const h = await start("redis-auth-wrong", { REDIS_PASSWORD: WRONG });
    const ready = await h.api("GET", "/readyz", undefined, { token: null });
    expect(ready.status).toBe(503);
    const listed = await h.api("GET", "/v1/rollouts");
    expect(listed.status).toBe(503);
    const warned = await waitFor("the outage warning", () =>
      h.logs.find((l) => l.includes("Redis unavailable")),
    );
    expect(warned).toMatch(/WRONGPASS/);
    expect(leaks(h, JSON.stringify(ready.body), JSON.stringify(listed.body))).toEqual([]);
  });
});
