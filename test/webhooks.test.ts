import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpPrefix } from "./helpers/redis.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";
import { verifyWebhook } from "./helpers/webhook-verify.js";

const SECRETS = {
  ok: "ok-webhook-secret-5d1e8a",
  flaky: "flaky-webhook-secret-77c2b0",
  other: "other-webhook-secret-0e4f19",
  // Standard Webhooks' own format: the key in base64 after whsec_.
  standard: `whsec_${randomBytes(32).toString("base64")}`,
};
// Webhook URLs may carry a token of their own (chat webhooks do): it must stay out of Redis and logs.
const URL_TOKEN = "url-token-9b3f6d2a";

interface Received {
  path: string;
  /** When the request arrived, ms. */
  at: number;
  headers: IncomingMessage["headers"];
  body: string;
  json: {
    event: string;
    occurredAt: string;
    rollout?: { id: string; status: string; counts: Record<string, number> };
    [field: string]: unknown;
  };
}

/**
 * A webhook receiver: /ok answers 200, /flaky 500 twice per delivery then 200, /next-second 500
 * until an attempt arrives in a later second than the delivery's first, /gone 410, /hang never.
 */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const flakyTries = new Map<string, number>();
  const firstSecond = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "").split("?")[0] ?? "";
      received.push({ path, at, headers: req.headers, body, json: JSON.parse(body) });
      if (path === "/hang") return;
      if (path === "/gone") return void res.writeHead(410).end();
      if (path === "/flaky") {
        const delivery = String(req.headers["webhook-id"]);
        const tries = (flakyTries.get(delivery) ?? 0) + 1;
        flakyTries.set(delivery, tries);
        if (tries <= 2) return void res.writeHead(500).end("try again");
      }
      if (path === "/next-second") {
        // The backoff (50 ms doubling, 8 attempts) crosses a second boundary well before the last.
        const second = Math.floor(at / 1000);
        const first = firstSecond.get(String(req.headers["webhook-id"])) ?? second;
        firstSecond.set(String(req.headers["webhook-id"]), first);
        if (second === first) return void res.writeHead(503).end("later");
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port nothing listens on: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const signed = (secret: string, r: Received) => verifyWebhook(secret, r.headers, r.body);

describe("webhooks", () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    const dir = mkdtempSync(join(tmpdir(), "enforcer-webhooks-"));
    const secretFile = join(dir, "secret");
    writeFileSync(secretFile, `${SECRETS.other}\n`);
    const file = join(dir, "webhooks.json");
    const terminal = ["rollout.succeeded", "rollout.failed"];
    writeFileSync(
      file,
      JSON.stringify({
        webhooks: [
          {
            name: "ok",
            url: `${receiver.url}/ok?token=${URL_TOKEN}`,
            events: [
              "rollout.paused",
              "rollout.failed",
              "rollout.succeeded",
              "rollout.cancelled",
              "schedule.skipped",
              "policy.put",
              "policy.deleted",
            ],
            secret: SECRETS.ok,
          },
          {
            name: "flaky",
            url: `${receiver.url}/flaky`,
            events: ["rollout.succeeded"],
            secretEnv: "FLAKY_SECRET",
          },
          {
            name: "standard",
            url: `${receiver.url}/next-second`,
            events: ["rollout.succeeded"],
            secret: SECRETS.standard,
          },
          { name: "gone", url: `${receiver.url}/gone`, events: terminal, secretFile },
          { name: "hang", url: `${receiver.url}/hang?token=${URL_TOKEN}`, events: terminal, secretFile },
          { name: "refused", url: `http://127.0.0.1:${await closedPort()}/`, events: terminal, secretFile },
        ],
      }),
    );
    h = await startHarness(
      "webhooks",
      {
        projects: 2,
        proxiesPerProject: 10,
        permanentFailures: [{ project: "project-002", proxy: "proxy-00011", message: "locked" }],
      },
      {
        ENFORCER_WEBHOOKS_FILE: file,
        FLAKY_SECRET: SECRETS.flaky,
        ENFORCER_WEBHOOK_BACKOFF_MS: "50",
        ENFORCER_WEBHOOK_TIMEOUT_MS: "300",
      },
    );
  });
  afterAll(async () => {
    await h?.stop();
    await receiver?.close();
  });

  const deliveries = (path: string, rolloutId: string, event?: string) =>
    receiver.received.filter(
      (r) =>
        r.path === path &&
        r.json.rollout?.id === rolloutId &&
        (event === undefined || r.json.event === event),
    );
  const waitForDelivery = (path: string, rolloutId: string, event: string) =>
    waitFor(`${event} at ${path}`, () => deliveries(path, rolloutId, event)[0]);

  it("signs and sends rollout.succeeded; dead receivers never hold the rollout up", async () => {
    const started = Date.now();
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"], 5_000);
    expect(done.status).toBe("succeeded");
    expect(Date.now() - started).toBeLessThan(5_000);

    const delivery = await waitForDelivery("/ok", done.id, "rollout.succeeded");
    expect(signed(SECRETS.ok, delivery)).toBe(true);
    expect(signed(SECRETS.flaky, delivery)).toBe(false);
    expect(delivery.headers["x-enforcer-event"]).toBe("rollout.succeeded");
    // Rollout events are delivered under "<outbox event id>-<webhook>": the same id on every re-delivery.
    expect(delivery.headers["webhook-id"]).toMatch(/^\d+-\d+-p\d+-ok$/);
    expect(delivery.headers["x-enforcer-delivery"]).toBe(delivery.headers["webhook-id"]);
    expect(delivery.headers["content-type"]).toBe("application/json");
    expect(Object.keys(delivery.json)).toEqual(["event", "occurredAt", "rollout"]);
    expect(Date.parse(delivery.json.occurredAt)).toBeGreaterThan(started - 1000);
    expect(delivery.json.rollout).toMatchObject({
      id: done.id,
      status: "succeeded",
      policy: POLICY,
      counts: { total: 10, succeeded: 10 },
    });

    // 500, 500, then 200: the same delivery (id, bytes, signature) three times.
    const flaky = await waitFor("the third try", () => {
      const tries = deliveries("/flaky", done.id);
      return tries.length >= 3 ? tries : undefined;
    });
    expect(new Set(flaky.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(flaky.map((r) => r.body)).size).toBe(1);
    expect(flaky.every((r) => signed(SECRETS.flaky, r))).toBe(true);
    // 410 is the receiver's final word: not retried.
    await waitFor("the hanging receiver to be retried", () =>
      deliveries("/hang", done.id).length >= 2 ? true : undefined,
    );
    expect(deliveries("/gone", done.id)).toHaveLength(1);
    expect(deliveries("/flaky", done.id)).toHaveLength(3);
    expect(deliveries("/ok", done.id)).toHaveLength(1);
  });

  it("stamps every retry of a delivery anew: same webhook-id, the attempt's own time, still verified", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"], proxies: ["proxy-00001"] },
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded"]);
    const tries = await waitFor("an attempt in a later second", () => {
      const all = deliveries("/next-second", done.id);
      const last = all.at(-1);
      return last !== undefined && Math.floor(last.at / 1000) > Math.floor((all[0] as Received).at / 1000)
        ? all
        : undefined;
    });
    expect(tries.length).toBeGreaterThan(1);
    expect(new Set(tries.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(tries.map((r) => r.body)).size).toBe(1);
    const stamps = tries.map((r) => Number(r.headers["webhook-timestamp"]));
    for (const [i, r] of tries.entries()) {
      // Stamped when sent, not when queued: at most a second before it arrived, never after.
      expect(stamps[i]).toBeLessThanOrEqual(Math.floor(r.at / 1000));
      expect(stamps[i]).toBeGreaterThanOrEqual(Math.floor(r.at / 1000) - 1);
      expect(signed(SECRETS.standard, r)).toBe(true);
    }
    expect(stamps.at(-1)).toBeGreaterThan(stamps[0] as number);
    // The same bytes under the first attempt's id and time: what a replayer holds, refused later.
    const first = tries[0] as Received;
    expect(verifyWebhook(SECRETS.standard, first.headers, first.body, first.at + 6 * 60_000)).toBe(false);
  });

  it("sends rollout.paused, rollout.cancelled and rollout.failed, one delivery each", async () => {
    const paused = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
      strategy: { waves: ["50%"], pauseBetweenWaves: true },
    });
    const id = paused.body.id;
    await h.waitForStatus(id, ["paused"]);
    const pausedDelivery = await waitForDelivery("/ok", id, "rollout.paused");
    expect(pausedDelivery.json.rollout).toMatchObject({ status: "paused", pausedReason: expect.any(String) });
    await h.api("POST", `/v1/rollouts/${id}/cancel`);
    const cancelled = await waitForDelivery("/ok", id, "rollout.cancelled");
    expect(cancelled.json.rollout?.status).toBe("cancelled");
    expect(signed(SECRETS.ok, cancelled)).toBe(true);

    const failing = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-002"] },
      strategy: { maxErrors: 5 },
    });
    await h.waitForStatus(failing.body.id, ["failed"]);
    const failed = await waitForDelivery("/ok", failing.body.id, "rollout.failed");
    expect(failed.json.rollout?.counts).toMatchObject({ failed: 1, succeeded: 9 });

    expect(deliveries("/ok", id).map((r) => r.json.event)).toEqual(["rollout.paused", "rollout.cancelled"]);
    expect(deliveries("/ok", failing.body.id).map((r) => r.json.event)).toEqual(["rollout.failed"]);
    // Nobody subscribed "flaky" to these events.
    expect(deliveries("/flaky", id)).toHaveLength(0);
  });

  it("notify sends schedule.skipped to its subscribers only", async () => {
    expect(
      await h.runtime.notify("schedule.skipped", {
        schedule: "nightly",
        reason: "previous run still active",
      }),
    ).toBe(1);
    const skipped = await waitFor("schedule.skipped", () =>
      receiver.received.find((r) => r.json.event === "schedule.skipped"),
    );
    expect(skipped.path).toBe("/ok");
    expect(signed(SECRETS.ok, skipped)).toBe(true);
    expect(skipped.json).toEqual({
      event: "schedule.skipped",
      occurredAt: expect.any(String),
      schedule: "nightly",
      reason: "previous run still active",
    });
  });

  it("announces a named policy's new versions and its deletion, from the outbox", async () => {
    expect((await h.api("PUT", "/v1/policies/hooked", { policy: POLICY })).status).toBe(201);
    // The same content again adds no version, so it announces nothing.
    expect((await h.api("PUT", "/v1/policies/hooked", { policy: POLICY })).body.changed).toBe(false);
    expect((await h.api("DELETE", "/v1/policies/hooked")).status).toBe(204);
    const announced = await waitFor("policy.put and policy.deleted", () => {
      const mine = receiver.received.filter((r) => r.json.policy === "hooked");
      return mine.length >= 2 ? mine : undefined;
    });
    expect(announced.every((r) => r.path === "/ok" && signed(SECRETS.ok, r))).toBe(true);
    expect(announced.map((r) => r.json)).toEqual([
      { event: "policy.put", occurredAt: expect.any(String), policy: "hooked", version: 1, actor: "alice" },
      {
        event: "policy.deleted",
        occurredAt: expect.any(String),
        policy: "hooked",
        version: 1,
        actor: "alice",
      },
    ]);
  });

  it("keeps webhook secrets and URLs out of Redis and the logs", async () => {
    // Deliveries of its own, failing ones included, so it holds in whatever order the tests run.
    await h.runtime.notify("rollout.succeeded", { rollout: { id: "r-secrets-check" } });
    const everything = await waitFor("a failed delivery, logged and kept on the queue", async () => {
      const logs = h.logs.join("");
      const redis = await dumpPrefix(h.prefix);
      return logs.includes("webhook delivery failed") && redis.includes("r-secrets-check")
        ? [logs, redis]
        : undefined;
    });
    for (const text of everything) {
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
      expect(text).not.toContain(URL_TOKEN);
      expect(text).not.toContain(receiver.url);
    }
  });
});
