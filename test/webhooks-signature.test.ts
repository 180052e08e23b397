// One delivery attempt as a receiver sees it: Standard Webhooks headers, checked by a verifier
// written from the spec (test/helpers/webhook-verify.ts), against a real HTTP receiver.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnrecoverableError } from "bullmq";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWebhooksFile, type WebhookConfig } from "../src/config/webhooks-file.js";
import { deliver } from "../src/webhooks/deliver.js";
import { TOLERANCE_SECONDS, verifyWebhook } from "./helpers/webhook-verify.js";

const PLAIN_SECRET = "a-plain-webhook-secret-4c1d9e";
const STANDARD_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const BODY = JSON.stringify({ event: "rollout.succeeded", occurredAt: "2026-01-01T00:00:00.000Z" });

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the request reached the receiver, ms. */
  at: number;
}

describe("webhook signatures (Standard Webhooks)", () => {
  const received: Received[] = [];
  let server: Server;
  const agent = new Agent();
  /** Both webhooks as the service loads them from its file: one plain secret, one whsec_. */
  let plain: WebhookConfig;
  let standard: WebhookConfig;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const at = Date.now();
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks), at });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const file = join(mkdtempSync(join(tmpdir(), "enforcer-signature-")), "webhooks.json");
    const events = ["rollout.succeeded"];
    writeFileSync(
      file,
      JSON.stringify({
        webhooks: [
          { name: "plain", url, events, secret: PLAIN_SECRET },
          { name: "standard", url, events, secret: STANDARD_SECRET },
        ],
      }),
    );
    [plain, standard] = loadWebhooksFile({}, file) as [WebhookConfig, WebhookConfig];
  });
  afterAll(async () => {
    await agent.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function attempt(config: WebhookConfig, id = randomUUID()): Promise<Received> {
    const before = received.length;
    expect(await deliver(config, { id, event: "rollout.succeeded", body: BODY }, agent)).toBe(204);
    expect(received).toHaveLength(before + 1);
    return received[before] as Received;
  }

  it("sends webhook-id, this attempt's webhook-timestamp and a v1 signature the receiver verifies", async () => {
    const id = randomUUID();
    const got = await attempt(plain, id);
    expect(got.headers["webhook-id"]).toBe(id);
    expect(got.headers["x-enforcer-delivery"]).toBe(id);
    expect(got.headers["x-enforcer-event"]).toBe("rollout.succeeded");
    expect(got.headers["x-enforcer-signature"]).toBeUndefined();
    expect(got.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const timestamp = Number(got.headers["webhook-timestamp"]);
    expect(String(timestamp)).toBe(got.headers["webhook-timestamp"]);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(got.at / 1000));
    expect(timestamp).toBeGreaterThanOrEqual(Math.floor(got.at / 1000) - 1);
    expect(got.body.toString("utf8")).toBe(BODY);
    expect(verifyWebhook(PLAIN_SECRET, got.headers, got.body)).toBe(true);
    expect(verifyWebhook("another-secret-of-16+chars", got.headers, got.body)).toBe(false);
  });

  it("signs with a whsec_ secret's base64-decoded key", async () => {
    const got = await attempt(standard);
    expect(verifyWebhook(STANDARD_SECRET, got.headers, got.body)).toBe(true);
  });

  it("fails verification for a tampered body, a replay after five minutes, or a re-stamped timestamp", async () => {
    const got = await attempt(standard);
    expect(verifyWebhook(STANDARD_SECRET, got.headers, got.body)).toBe(true);
    const tampered = Buffer.from(BODY.replace("succeeded", "failed"));
    expect(verifyWebhook(STANDARD_SECRET, got.headers, tampered)).toBe(false);
    const later = got.at + (TOLERANCE_SECONDS + 1) * 1000;
    expect(verifyWebhook(STANDARD_SECRET, got.headers, got.body, later)).toBe(false);
    const earlier = got.at - (TOLERANCE_SECONDS + 1) * 1000;
    expect(verifyWebhook(STANDARD_SECRET, got.headers, got.body, earlier)).toBe(false);
    // A replayer who freshens the timestamp breaks the signature, which covers it.
    const restamped = { ...got.headers, "webhook-timestamp": String(Math.floor(later / 1000)) };
    expect(verifyWebhook(STANDARD_SECRET, restamped, got.body, later)).toBe(false);
    const otherId = { ...got.headers, "webhook-id": randomUUID() };
    expect(verifyWebhook(STANDARD_SECRET, otherId, got.body)).toBe(false);
  });

  it("the verification snippet in docs/audit-and-notifications.md, run as published, agrees", async () => {
    const docs = readFileSync(new URL("../docs/audit-and-notifications.md", import.meta.url), "utf8");
    const snippet = /### Verifying a delivery[\s\S]*?```js\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(snippet).toContain("export function verifyWebhook");
    const published = (await import(`data:text/javascript,${encodeURIComponent(snippet ?? "")}`)) as {
      verifyWebhook: typeof verifyWebhook;
    };
    const got = await attempt(standard);
    expect(published.verifyWebhook(STANDARD_SECRET, got.headers, got.body)).toBe(true);
    expect(published.verifyWebhook(STANDARD_SECRET, got.headers, Buffer.from(`${BODY} `))).toBe(false);
    expect(published.verifyWebhook(STANDARD_SECRET, got.headers, got.body, got.at + 301_000)).toBe(false);
    const other = await attempt(plain);
    expect(published.verifyWebhook(PLAIN_SECRET, other.headers, other.body)).toBe(true);
  });

  it("a second attempt of one delivery keeps its webhook-id and carries its own timestamp", async () => {
    const id = randomUUID();
    const first = await attempt(plain, id);
    const second = await attempt(plain, id);
    for (const got of [first, second]) {
      expect(got.headers["webhook-id"]).toBe(id);
      expect(Number(got.headers["webhook-timestamp"])).toBeGreaterThanOrEqual(Math.floor(got.at / 1000) - 1);
      expect(Number(got.headers["webhook-timestamp"])).toBeLessThanOrEqual(Math.floor(got.at / 1000));
      expect(verifyWebhook(PLAIN_SECRET, got.headers, got.body)).toBe(true);
    }
  });

  it("refuses, unretried and unsent, a delivery id that would make the signed text ambiguous", async () => {
    const before = received.length;
    for (const id of ["", "a.b"]) {
      await expect(deliver(plain, { id, event: "rollout.succeeded", body: BODY }, agent)).rejects.toThrow(
        UnrecoverableError,
      );
    }
    expect(received).toHaveLength(before);
  });
});
