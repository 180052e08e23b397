// `enforcer policy ...` end to end: run() in-process against the real service over HTTP, with the
// example files the README shows.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { runCli } from "./helpers/cli.js";
import { type Harness, startHarness, TOKENS } from "./helpers/service.js";

const EXAMPLE = "examples/policies/payments-tls.yaml";

// One lifecycle (apply, change, read, delete): each step builds on the one before, so the steps
// keep their order when the suite is shuffled.
describe("enforcer policy", { shuffle: false }, () => {
  let h: Harness;
  let dir: string;

  const admin = (args: string[]) => runCli(h.url, TOKENS.admin, args);
  async function file(name: string, body: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, toYaml(body));
    return path;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "enforcer-policy-"));
    h = await startHarness("cli-policy", {
      fleet: [{ name: "Payments", proxies: [{ name: "orders-api" }, { name: "ledger" }] }],
    });
  });
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("apply stores the example file as version 1, and applying it again adds none", async () => {
    const first = await admin(["policy", "apply", "-f", EXAMPLE]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("Policy payments-tls created (version 1)");
    const again = await admin(["--json", "policy", "apply", "-f", EXAMPLE]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ name: "payments-tls", version: 1, changed: false });
  });

  it("apply of a changed file makes version 2; --if-version refuses a stale write (exit 3)", async () => {
    const example = parseYaml(await readFile(EXAMPLE, "utf8"));
    const lenient = await file("lenient.yaml", {
      ...example,
      description: "DEFAULT hostname verification for now",
      policy: { mtls: { ...example.policy.mtls, hostnameVerifierType: "DEFAULT" } },
    });
    const second = await admin(["policy", "apply", "-f", lenient, "--if-version", "1"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("Policy payments-tls is now at version 2");
    const stale = await admin(["policy", "apply", "-f", EXAMPLE, "--if-version", "1"]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/at version 2, not 1 .*\(HTTP 409\)/);
  });

  it("list, get and diff show the versions", async () => {
    const list = await admin(["policy", "list"]);
    expect(list.stdout).toMatch(/^payments-tls\s+2\s+/m);
    const get = await admin(["policy", "get", "payments-tls"]);
    expect(get.stdout).toContain("Policy payments-tls version 2 (latest)");
    expect(get.stdout).toMatch(/^1\s+\S+\s+alice\s+TLS 1.2 or better with STRICT hostname verification$/m);
    const pinned = await admin(["--json", "policy", "get", "payments-tls@1"]);
    expect(JSON.parse(pinned.stdout)).toMatchObject({
      version: 1,
      policy: { mtls: { hostnameVerifierType: "STRICT" } },
    });
    const diff = await admin(["policy", "diff", "payments-tls"]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('~ mtls.hostnameVerifierType: "STRICT" → "DEFAULT"');
    const all = await admin(["policy", "diff", "payments-tls", "--from", "0", "--to", "1"]);
    expect(all.stdout).toMatch(/^\+ mtls: \{"enabled":true,/m);
  });

  it("a rollout file may name the policy: plan shows the version it resolved", async () => {
    const plan = await runCli(h.url, TOKENS.operator, [
      "plan",
      "-f",
      "examples/payments-tls-rollout.yaml",
      "--assume-drift",
    ]);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain("policy payments-tls version 2");
    expect(plan.stdout).toContain('"hostnameVerifierType":"DEFAULT"');
  });

  it("refuses bad input with exit 3", async () => {
    const nameless = await file("nameless.yaml", { policy: { mtls: { enabled: false } } });
    expect((await admin(["policy", "apply", "-f", nameless])).stderr).toContain(
      "must give the policy's name",
    );
    const invalid = await admin([
      "policy",
      "apply",
      "-f",
      await file("bad.yaml", { name: "x", policy: { mtls: { hostnameVerifierType: "LOOSE" } } }),
    ]);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain("policy.mtls.hostnameVerifierType");
    const operator = await runCli(h.url, TOKENS.operator, ["policy", "apply", "-f", EXAMPLE]);
    expect(operator.code).toBe(3);
    expect(operator.stderr).toContain("HTTP 403");
    for (const args of [
      ["policy", "apply", "-f", join(dir, "missing.yaml")],
      ["policy", "get", "bad name"],
      ["policy", "get", "nope"],
      ["policy", "diff", "payments-tls", "--to", "x"],
    ]) {
      expect((await admin(args)).code, args.join(" ")).toBe(3);
    }
  });

  it("delete removes the policy (exit 0), then says it is gone (exit 3)", async () => {
    const deleted = await admin(["--json", "policy", "delete", "payments-tls"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ name: "payments-tls", deleted: true });
    const gone = await admin(["policy", "delete", "payments-tls"]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain("policy payments-tls was not found");
  });
});
