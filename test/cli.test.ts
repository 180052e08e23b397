// The `enforcer` CLI end to end: run() in-process against the real service and simulator over HTTP.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import type { SeedProject } from "../src/simulator/types.js";
import { runCli } from "./helpers/cli.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const FLEET: SeedProject[] = [
  {
    name: "Payments",
    proxies: [
      { name: "orders-api" },
      { name: "orders-v2" },
      { name: "ledger" },
      { name: "chat-ai", type: "AI" },
    ],
  },
  { name: "Shipping", proxies: [{ name: "tracking" }, { name: "labels" }] },
  { name: "Staged", proxies: [{ name: "one" }, { name: "two" }] },
  // A gateway's names are not ours: this one would clear the screen, reverse the line, return to
  // its start and ring the bell if printed as is.
  { name: "Hostile", proxies: [{ name: "evil\x1b[2J\u202e\r\x07" }, { name: "fine" }] },
];
const LEDGER_MESSAGE = "KeyStore keystore-id-123 cannot be used by this proxy";
const HOSTILE_MESSAGE = "locked\x1b]0;pwned\x07\nerror: fake line";

describe("enforcer CLI", () => {
  let h: Harness;
  let dir: string;
  let files = 0;

  const cli = (args: string[], env: Record<string, string> = {}) => runCli(h.url, TOKENS.operator, args, env);

  /** A rollout file; YAML unless the name ends in .json. */
  async function rolloutFile(body: unknown, ext = "yaml"): Promise<string> {
    const path = join(dir, `rollout-${++files}.${ext}`);
    await writeFile(path, ext === "json" ? JSON.stringify(body) : toYaml(body));
    return path;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "enforcer-cli-"));
    h = await startHarness("cli", {
      fleet: FLEET,
      permanentFailures: [
        { project: "Payments", proxy: "ledger", message: LEDGER_MESSAGE },
        { project: "Hostile", proxy: "evil\x1b[2J\u202e\r\x07", message: HOSTILE_MESSAGE },
      ],
      deployFailures: [
        { project: "Staged", proxy: "two", environment: "production", message: "gateway pods not ready" },
      ],
    });
  });
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("apply --watch runs a YAML rollout to success (exit 0) and reports it", async () => {
    const file = await rolloutFile({
      policy: POLICY,
      targets: { projects: ["Shipping"] },
      description: "CHG-1",
    });
    const res = await cli(["apply", "-f", file, "--watch"]);
    expect(res.stderr).toContain("Watching r");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Rollout r\S+ created \(planning\)/);
    expect(res.stdout).toMatch(/Rollout r\S+ succeeded: 2 targets: 2 succeeded/);
    expect(h.sim.state.proxy("Shipping", "tracking")?.mtls).toMatchObject(POLICY.mtls);
  });

  it("--json prints only the API's JSON on stdout", async () => {
    const file = await rolloutFile(
      { policy: POLICY, targets: { projects: ["Shipping"], proxies: ["labels"] } },
      "json",
    );
    const res = await cli(["--json", "apply", "-f", file, "--watch"]);
    expect(res.code, res.stderr).toBe(0);
    const rollout = JSON.parse(res.stdout);
    expect(rollout).toMatchObject({ status: "succeeded", counts: { total: 1, succeeded: 1 } });

    const status = await cli(["status", rollout.id, "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: rollout.id, status: "succeeded" });
    const list = await cli(["list", "--limit", "1", "--json"]);
    expect(JSON.parse(list.stdout).items.map((r: { id: string }) => r.id)).toEqual([rollout.id]);
  });

  it("apply without --watch prints the id and status and exits 0", async () => {
    const file = await rolloutFile({ policy: POLICY, targets: { projects: ["Shipping"] }, dryRun: true });
    const res = await cli(["apply", "-f", file, "--idempotency-key", "CHG-7"]);
    expect(res.code, res.stderr).toBe(0);
    const id = /Rollout (r\S+) created/.exec(res.stdout)?.[1];
    expect(id).toBeDefined();
    const again = await cli(["apply", "-f", file, "--idempotency-key", "CHG-7"]);
    expect(again.stdout).toContain(`Rollout ${id} already exists for this idempotency key`);
  });

  it("a permanently failing proxy within the error budget: exit 1 with the gateway's message; retry re-runs it", async () => {
    const file = await rolloutFile({
      policy: POLICY,
      targets: { projects: ["Payments"], proxies: ["orders-api", "ledger"] },
      strategy: { maxErrors: 5 },
    });
    const res = await cli(["apply", "-f", file, "--watch"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/failed: 2 targets: 1 succeeded, 1 failed/);
    expect(res.stdout).toContain(`Payments/ledger  HTTP 400  ${LEDGER_MESSAGE}`);
    expect(res.stdout).toMatch(/enforcer retry r\S+/);

    const id = /Rollout (r\S+) failed/.exec(res.stdout)?.[1] ?? "";
    const targets = await cli(["targets", id, "--status", "failed"]);
    expect(targets.code).toBe(0);
    expect(targets.stdout).toMatch(/Payments\/ledger\s+failed\s+1\s+\d+\s+HTTP 400 {2}KeyStore/);

    const retried = await cli(["retry", id, "--watch"]);
    expect(retried.code, retried.stderr).toBe(1);
    expect(retried.stdout).toContain(`Rollout ${id} is running`);
    expect(retried.stdout).toContain(LEDGER_MESSAGE);
  });

  it("a rollout that pauses itself ends the watch with exit 2 and the reason; resume --watch follows it on", async () => {
    const file = await rolloutFile({
      policy: POLICY,
      targets: { projects: ["Payments"], proxies: ["ledger", "orders-v2"] },
      strategy: { maxErrors: 0, waves: [1, "100%"] },
    });
    const res = await cli(["apply", "-f", file, "--watch"]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stdout).toMatch(/Rollout r\S+ paused/);
    expect(res.stdout).toMatch(/reason: .+/);
    expect(res.stdout).toMatch(/enforcer resume r\S+/);

    const id = /Rollout (r\S+) paused/.exec(res.stdout)?.[1] ?? "";
    expect((await cli(["status", id])).code).toBe(2);
    const resumed = await cli(["resume", id, "--watch"]);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stdout).toContain(`Rollout ${id} is running`);
    expect(resumed.stdout).toMatch(/failed: 2 targets: 1 succeeded, 1 failed/);
  });

  it("pause and cancel a running rollout; a refused action exits 3 with the service's message", async () => {
    // The bake after the first wave keeps the rollout running long enough to act on it.
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Shipping"] },
      strategy: { waves: [1, "100%"], bakeSeconds: 60 },
    });
    const id = created.body.id as string;
    await waitFor("the first wave", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${id}`);
      return body.status === "running" && body.counts.succeeded === 1 ? body : undefined;
    });
    const paused = await cli(["pause", id]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain(`Rollout ${id} is paused`);
    const again = await cli(["pause", id]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/cannot pause a rollout that is paused.*\(HTTP 409\)/);
    const cancelled = await cli(["cancel", id, "--json"]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout).status).toBe("cancelled");
    const status = await cli(["status", id]);
    expect(status.code).toBe(2);
    expect(status.stdout).toContain(`Rollout ${id} cancelled`);
  });

  it("plan without read-back lists what would be written, exits 2 only when told to assume drift", async () => {
    const patchesBefore = h.sim.state.totalPatches();
    const file = await rolloutFile({ policy: POLICY, targets: { projects: ["Payments", "Shipping"] } });
    const unknown = await cli(["plan", "-f", file]);
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stdout).toMatch(/Plan: 5 proxies would be written; their current settings are unknown/);
    const res = await cli(["plan", "-f", file, "--assume-drift"]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stdout).toContain("~ Payments/orders-api");
    expect(res.stdout).toContain("~ Shipping/labels");
    expect(res.stdout).toMatch(/Skipped \(1\):\n {2}Payments\/chat-ai {2}proxy type AI/);
    expect(h.sim.state.totalPatches()).toBe(patchesBefore);

    const nothing = await rolloutFile({
      policy: POLICY,
      targets: { projects: ["Payments"], include: ["nothing-*"] },
    });
    const empty = await cli(["plan", "-f", nothing]);
    expect(empty.code, empty.stderr + empty.stdout).toBe(0);
    expect(empty.stdout).toContain("No changes");
  });

  it("an invalid file exits 3 naming every wrong field", async () => {
    const file = await rolloutFile({
      policy: { mtls: { ...POLICY.mtls, hostnameVerifierType: "SOMETIMES" } },
      targets: { projects: [] },
    });
    const res = await cli(["apply", "-f", file]);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("(HTTP 400)");
    expect(res.stderr).toMatch(/^ {2}policy\.mtls\.hostnameVerifierType: /m);
    expect(res.stderr).toMatch(/^ {2}targets\.projects: /m);

    const missing = await cli(["apply", "-f", join(dir, "nope.yaml")]);
    expect(missing).toMatchObject({ code: 3, stderr: expect.stringContaining("no such file") });
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "policy: [unclosed\n");
    expect((await cli(["plan", "-f", broken])).stderr).toMatch(/broken\.yaml is not valid YAML/);
    expect((await cli(["list", "--limit", "0"])).code).toBe(3);
  });

  it("refused tokens exit 3 with a clear message", async () => {
    const wrong = await cli(["list"], { ENFORCER_TOKEN: "not-a-token" });
    expect(wrong).toMatchObject({ code: 3, stderr: expect.stringContaining("the token was refused") });
    const none = await cli(["list"], { ENFORCER_TOKEN: "" });
    expect(none).toMatchObject({
      code: 3,
      stderr: expect.stringContaining("pass --token or set ENFORCER_TOKEN"),
    });
    const viewer = await cli(["cancel", "r0000000000000000a", "--token", TOKENS.viewer]);
    expect(viewer).toMatchObject({ code: 3, stderr: expect.stringContaining("your role cannot do this") });
    const unknown = await cli(["status", "r0000000000000000a"]);
    expect(unknown).toMatchObject({ code: 3, stderr: expect.stringContaining("was not found") });
  });

  it("an unreachable service exits 4", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const res = await cli(["--url", `http://127.0.0.1:${port}`, "status", "r0000000000000000a"]);
    expect(res.code).toBe(4);
    expect(res.stderr).toContain(`cannot reach the service at http://127.0.0.1:${port}`);
    expect((await cli(["list", "--url", "not a url"])).code).toBe(3);
  });

  it("apply --watch follows an after-save rollout through its phases; a failed deployment exits 1", async () => {
    const file = await rolloutFile({
      policy: POLICY,
      targets: { projects: ["Staged"] },
      deploy: { environments: ["test", "production"], mode: "after-save" },
      strategy: { maxErrors: "100%" },
    });
    const res = await cli(["apply", "-f", file, "--watch"]);
    expect(res.stderr).toMatch(/Deploying to test: r\S+\nWatching r/);
    expect(res.stderr).toContain("Deploying to production: r");
    expect(res.code, res.stdout).toBe(1);
    expect(res.stdout).toMatch(/Rollout r\S+ succeeded: 2 targets: 2 succeeded/);
    expect(res.stdout).toMatch(/Deploy phases:\n {2}test\s+succeeded\s+r\S+\n {2}production\s+failed\s+r\S+/);
    expect(res.stdout).toMatch(
      /Failed deployments to production \(1\):\n {2}Staged\/two {2}.*gateway pods not ready/,
    );
    const id = /Rollout (r\S+) created/.exec(res.stdout)?.[1] ?? "";
    const targets = await cli(["targets", id]);
    expect(targets.stdout.split("\n")[0]).toMatch(
      /^TARGET\s+STATUS\s+WAVE\s+ATTEMPTS\s+DEPLOYMENTS\s+DETAIL/,
    );
    expect(targets.stdout).toMatch(
      /Staged\/two .*test: deployed; production: failed \(.*gateway pods not ready/,
    );
  });

  it("status, list and targets print tables", async () => {
    const { body } = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Payments"], proxies: ["orders-api", "orders-v2", "chat-ai"] },
      description: "CHG-tables",
    });
    await h.waitForStatus(body.id, ["succeeded"]);
    const status = await cli(["status", body.id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/description\s+CHG-tables/);
    expect(status.stdout).toContain("3 targets: 2 succeeded, 1 skipped");

    const list = await cli(["list", "--status", "succeeded", "--limit", "3"]);
    expect(list.stdout.split("\n")[0]).toMatch(/^ID\s+STATUS\s+DONE\s+FAILED/);
    expect(list.stdout).toMatch(new RegExp(`${body.id}\\s+succeeded\\s+3/3\\s+0`));

    const targets = await cli(["targets", body.id, "--limit", "2", "--json"]);
    const page = JSON.parse(targets.stdout);
    expect(page.items.map((t: { proxy: string }) => t.proxy)).toEqual(["orders-api", "orders-v2"]);
    expect(page.nextCursor).not.toBeNull();
    const skipped = await cli(["targets", body.id, "--status", "skipped"]);
    expect(skipped.stdout).toMatch(/Payments\/chat-ai\s+skipped\s+\d+\s+0\s+proxy type AI/);
  });

  it("prints the gateway's hostile names and messages escaped; --json keeps them exact", async () => {
    const file = await rolloutFile({
      policy: POLICY,
      targets: { projects: ["Hostile"] },
      strategy: { maxErrors: 5 },
    });
    const res = await cli(["apply", "-f", file, "--watch"]);
    expect(res.code, res.stderr).toBe(1);
    const escaped = "Hostile/evil\\x1b[2J\\u202e\\r\\x07";
    expect(res.stdout).toContain(`  ${escaped}  HTTP 400  locked\\x1b]0;pwned\\x07\\nerror: fake line\n`);
    const id = /Rollout (r\S+) failed/.exec(res.stdout)?.[1] ?? "";
    const targets = await cli(["targets", id]);
    expect(targets.stdout).toMatch(new RegExp(`^TARGET {${escaped.length - 6}}  STATUS`));
    expect(targets.stdout).toContain(`${escaped}  failed`);
    for (const text of [res.stdout, res.stderr, targets.stdout]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    }

    const json = await cli(["targets", id, "--status", "failed", "--json"]);
    expect(JSON.parse(json.stdout).items[0]).toMatchObject({
      proxy: "evil\x1b[2J\u202e\r\x07",
      error: { message: HOSTILE_MESSAGE },
    });
  });
});
