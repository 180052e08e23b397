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
    expect(c.webhooks.map((w) => [w.name, w.secret, [...w.events]])).toEqual([
      ["chat", SECRET, ["rollout.failed"]],
      ["pager", "env-secret-value-123456", ["rollout.failed"]],
      ["siem", "file-secret-value-123456", ["rollout.failed"]],
    ]);
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
