import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";

const BASE = { ENFORCER_API_TOKENS: "admin:alice:long-enough-secret" };
const SECRET = "a-webhook-secret-of-some-length";
const dir = mkdtempSync(join(tmpdir(), "enforcer-webhooks-config-"));
let files = 0;
const webhooksFile = (content: unknown) => {
  const path = join(dir, `webhooks-${++files}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};
const hook = (fields: Record<string, unknown> = {}) => ({
  name: "chat",
  url: "https://hooks.example/enforcer",
  events: ["rollout.failed"],
  secret: SECRET,
  ...fields,
});

describe("webhook and audit configuration", () => {
  it("has defaults and no webhooks unless a file names some", () => {
    expect(loadConfig(BASE)).toMatchObject({
      auditMaxLen: 100_000,
      webhooks: [],
      webhookTimeoutMs: 10_000,
      webhookBackoffMs: 2_000,
    });
  });

  it("reads each webhook's secret inline, from an env variable or from a file", () => {
    const secretFile = join(dir, "secret");
    writeFileSync(secretFile, "file-secret-value-123456\n");
    const file = webhooksFile({
      webhooks: [
        hook(),
        hook({ name: "pager", secret: undefined, secretEnv: "PAGER_SECRET" }),
        hook({ name: "siem", secret: undefined, secretFile }),
      ],
    });
    const c = loadConfig({ ...BASE, ENFORCER_WEBHOOKS_FILE: file, PAGER_SECRET: "env-secret-value-123456" });
    expect(c.webhooks.map((w) => [w.name, w.secret.toString("utf8"), [...w.events]])).toEqual([
      ["chat", SECRET, ["rollout.failed"]],
      ["pager", "env-secret-value-123456", ["rollout.failed"]],
      ["siem", "file-secret-value-123456", ["rollout.failed"]],
    ]);
  });

  it("takes a whsec_ secret (Standard Webhooks) as its base64-decoded key, any other as its UTF-8 bytes", () => {
    const key = Buffer.from("0123456789abcdef0123456789abcdef");
    const file = webhooksFile({
      webhooks: [
        hook({ name: "standard", secret: `whsec_${key.toString("base64")}` }),
        hook({
          name: "unpadded",
          secret: `whsec_${key.subarray(0, 25).toString("base64").replace(/=+$/, "")}`,
        }),
        hook({ name: "plain", secret: "plain-secret-ünïcode" }),
      ],
    });
    const [standard, unpadded, plain] = loadConfig({ ...BASE, ENFORCER_WEBHOOKS_FILE: file }).webhooks;
    expect(standard?.secret).toEqual(key);
    expect(unpadded?.secret).toEqual(key.subarray(0, 25));
    expect(plain?.secret).toEqual(Buffer.from("plain-secret-ünïcode", "utf8"));
  });

  it.each([
    ["not base64", "whsec_not*base64*at*all*0123456789abcdef0123"],
    ["url-safe base64", `whsec_${Buffer.alloc(30, 0xfb).toString("base64url")}`],
    ["a key under 24 bytes", `whsec_${Buffer.alloc(23, 7).toString("base64")}`],
    ["nothing after the prefix", "whsec_"],
  ])("refuses a whsec_ secret that is %s, without printing it", (_what, secret) => {
    const file = webhooksFile({ webhooks: [hook({ secret })] });
    let message = "";
    try {
      loadConfig({ ...BASE, ENFORCER_WEBHOOKS_FILE: file });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^ENFORCER_WEBHOOKS_FILE: webhook chat: the secret \(inline\) must /);
    const key = secret.slice("whsec_".length);
    if (key !== "") expect(message).not.toContain(key);
  });

  it.each([
    ["not JSON", "{"],
    ["no list", {}],
    ["an unknown event", { webhooks: [hook({ events: ["rollout.started"] })] }],
    ["no events", { webhooks: [hook({ events: [] })] }],
    ["a non-HTTP URL", { webhooks: [hook({ url: "file:///etc/passwd" })] }],
    ["a name with ':'", { webhooks: [hook({ name: "a:b" })] }],
    ["two secrets", { webhooks: [hook({ secretEnv: "X" })] }],
    ["no secret", { webhooks: [hook({ secret: undefined })] }],
    ["a short secret", { webhooks: [hook({ secret: "short" })] }],
    ["a missing env secret", { webhooks: [hook({ secret: undefined, secretEnv: "UNSET_SECRET_VAR" })] }],
    ["a missing secret file", { webhooks: [hook({ secret: undefined, secretFile: "/no/such/secret" })] }],
    ["an unknown field", { webhooks: [hook({ headers: { x: "y" } })] }],
    ["a duplicate name", { webhooks: [hook(), hook()] }],
  ])("refuses a webhooks file with %s, naming ENFORCER_WEBHOOKS_FILE", (_what, content) => {
    const file = webhooksFile(content);
    expect(() => loadConfig({ ...BASE, ENFORCER_WEBHOOKS_FILE: file })).toThrow(/^ENFORCER_WEBHOOKS_FILE:/);
  });

  it("never prints a secret in its errors", () => {
    const file = webhooksFile({ webhooks: [hook({ secret: "too-short" })] });
    let message = "";
    try {
      loadConfig({ ...BASE, ENFORCER_WEBHOOKS_FILE: file });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^ENFORCER_WEBHOOKS_FILE: webhook chat: the secret .* at least 16 characters$/);
    expect(message).not.toContain("too-short");
  });

  it.each([
    [{ ENFORCER_WEBHOOKS_FILE: "/no/such/webhooks.json" }, "ENFORCER_WEBHOOKS_FILE"],
    [{ ENFORCER_AUDIT_MAXLEN: "10" }, "ENFORCER_AUDIT_MAXLEN"],
    [{ ENFORCER_WEBHOOK_TIMEOUT_MS: "0" }, "ENFORCER_WEBHOOK_TIMEOUT_MS"],
    [{ ENFORCER_WEBHOOK_BACKOFF_MS: "soon" }, "ENFORCER_WEBHOOK_BACKOFF_MS"],
  ])("refuses %o naming %s", (env, variable) => {
    expect(() => loadConfig({ ...BASE, ...env })).toThrow(new RegExp(`^${variable}:`));
  });
});
