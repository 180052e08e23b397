// A change is committed with its event in one script; whatever happens to the process that made
// it, the audit entry and the webhook it owes are produced: by any process, from the outbox.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RolloutEngine } from "../src/engine/engine.js";
import { Keys, partitionOf } from "../src/store/keys.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";
import { type Harness, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

interface Delivery {
  headers: IncomingHttpHeaders;
  json: { event: string; rollout: { id: string; status: string } };
}

describe("outbox: nothing a change owes is lost", () => {
  const prefix = uniquePrefix("outbox");
  const keys = new Keys(prefix);
  const redis = new Redis(REDIS_URL);
  const engine = new RolloutEngine(redis, keys, { eventsMaxLen: 10_000, window: 10 });
  const received: Delivery[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, json: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  let h: Harness | undefined;

  const spec = JSON.stringify({
    gateway: "default",
    dryRun: false,
    policy: {},
    targets: { projects: ["P"] },
  });
  const cancelled = async (id: string) => {
    await engine.create(
      id,
      { status: "planning", spec, createdBy: "alice", createdAt: new Date().toISOString(), updatedAt: "0" },
      { actor: "alice", action: "create" },
    );
    expect(await engine.control(id, "cancel", "alice", "cancelled by alice")).toMatchObject({ ok: true });
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await h?.stop();
    server.close();
    redis.disconnect();
    await dropPrefix(prefix);
  });

  it("events taken by a killed process, and events nobody read yet, all get their audit entry and webhook once", async () => {
    const taken = `r${Date.now().toString(36).padStart(9, "0")}takenAAA`;
    const unread = `r${Date.now().toString(36).padStart(9, "0")}unreadAA`;
    // A process committed this cancel and read its events, then was killed before handling them:
    // they sit in its pending list, unacknowledged.
    await cancelled(taken);
    const stream = keys.events(partitionOf(taken));
    await redis.xgroup("CREATE", stream, "projections", "0", "MKSTREAM");
    const read = (await redis.xreadgroup(
      "GROUP",
      "projections",
      "killed-process",
      "COUNT",
      100,
      "STREAMS",
      stream,
      ">",
    )) as Array<[string, unknown[]]>;
    expect(read[0]?.[1]).toHaveLength(2);
    // This one was committed by a process killed before anyone read the event.
    await cancelled(unread);

    const dir = mkdtempSync(join(tmpdir(), "enforcer-outbox-"));
    const file = join(dir, "webhooks.json");
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      file,
      JSON.stringify({
        webhooks: [
          {
            name: "hook",
            url: `http://127.0.0.1:${port}/`,
            events: ["rollout.cancelled"],
            secret: "outbox-test-secret-0123",
          },
        ],
      }),
    );
    h = await startHarness(
      "outbox-svc",
      { projects: 1, proxiesPerProject: 1 },
      { ENFORCER_QUEUE_PREFIX: prefix, ENFORCER_WEBHOOKS_FILE: file, ENFORCER_EVENT_CLAIM_IDLE_MS: "500" },
    );

    for (const id of [taken, unread]) {
      const entries = await waitFor(`the audit entries of ${id}`, async () => {
        const { body } = await (h as Harness).api("GET", "/v1/audit?limit=1000");
        const mine = body.items.filter((e: { rolloutId?: string }) => e.rolloutId === id);
        return mine.length >= 2 ? mine : undefined;
      });
      expect(entries.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual([
        "rollout.create:alice",
        "rollout.cancel:alice",
      ]);
      const delivery = await waitFor(`the webhook of ${id}`, () =>
        received.find((d) => d.json.rollout.id === id && d.json.event === "rollout.cancelled"),
      );
      expect(delivery.json.rollout.status).toBe("cancelled");
    }
    // The killed process's events were taken over: nothing is left pending in the group.
    await waitFor("no pending events", async () => {
      const pending = await Promise.all(
        keys.eventStreams.map((s) => redis.xpending(s.key, "projections") as Promise<[number]>),
      );
      return pending.every(([count]) => count === 0) ? true : undefined;
    });
    expect(received.filter((d) => [taken, unread].includes(d.json.rollout.id))).toHaveLength(2);
  }, 60_000);
});
