// `enforcer revert | schedules | audit | gateways` end to end: run() in-process against the real
// service over HTTP, with the exit codes of exit-codes.ts.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { runCli } from "./helpers/cli.js";
import { GATEWAY_TOKEN, type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

const SWEEP = {
  cron: "0 3 * * *",
  timezone: "Europe/Istanbul",
  rollout: { policy: POLICY, targets: { projects: ["Payments"] }, dryRun: true },
};

// The audit test reads what the tests before it changed: they keep their order when shuffled.
describe("enforcer revert, schedules, audit and gateways", { shuffle: false }, () => {
  let h: Harness;
  let dir: string;
  const admin = (args: string[]) => runCli(h.url, TOKENS.admin, args);
  const operator = (args: string[]) => runCli(h.url, TOKENS.operator, args);
  async function file(name: string, body: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, toYaml(body));
    return path;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "enforcer-cli-admin-"));
    h = await startHarness(
      "cli-admin",
      { fleet: [{ name: "Payments", proxies: [{ name: "orders" }, { name: "ledger" }] }] },
      {},
      { gateway: { readBack: "full" } },
    );
  });
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("revert --watch undoes a finished rollout; again returns the first revert; a dry run is refused", async () => {
    const { body } = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Payments"] },
    });
    await h.waitForStatus(body.id, ["succeeded"]);
    const reverted = await operator(["revert", body.id, "--watch"]);
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(reverted.stdout).toMatch(new RegExp(`Rollout r\\S+ created to revert ${body.id}`));
    expect(reverted.stdout).toMatch(/Rollout r\S+ succeeded: 2 targets: 2 succeeded/);
    expect(h.sim.state.proxy("Payments", "orders")?.mtls).not.toMatchObject(POLICY.mtls);

    const again = await operator(["--json", "revert", body.id]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ revertOf: body.id, status: "succeeded" });

    const dry = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      dryRun: true,
    });
    await h.waitForStatus(dry.body.id, ["succeeded"]);
    const refused = await operator(["revert", dry.body.id]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("a dry run changed nothing (HTTP 409)");
    expect((await operator(["revert", "r0000000000000000x"])).code).toBe(3);
  });

  it("schedules put, list, get, run --watch and delete", async () => {
    const path = await file("nightly.yaml", { name: "nightly", ...SWEEP });
    const created = await admin(["schedules", "put", "nightly", "-f", path]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("Schedule nightly created: cron 0 3 * * * (Europe/Istanbul), audit");
    expect(created.stdout).toMatch(/Next run: \d{4}-/);
    expect((await admin(["schedules", "put", "nightly", "-f", path])).stdout).toContain("replaced");

    const list = await admin(["schedules", "list"]);
    expect(list.stdout).toMatch(/NAME\s+SCHEDULE\s+MODE\s+POLICY\s+NEXT RUN\s+LAST ROLLOUT/);
    expect(list.stdout).toMatch(/nightly\s+cron 0 3 \* \* \* \(Europe\/Istanbul\)\s+audit\s+inline/);
    expect(JSON.parse((await admin(["--json", "schedules", "list"])).stdout).items).toHaveLength(1);
    expect((await admin(["schedules", "get", "nightly"])).stdout).toContain("No firings yet.");

    const run = await admin(["schedules", "run", "nightly", "--watch"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Schedule nightly fired: rollout r\S+/);
    expect(run.stdout).toMatch(/succeeded \(dry run\)/);
    const detail = await admin(["schedules", "get", "nightly"]);
    expect(detail.stdout).toMatch(/run by alice\s+r\S+\s+succeeded/);
    expect(JSON.parse((await admin(["--json", "schedules", "get", "nightly"])).stdout).runs).toHaveLength(1);

    const deleted = await admin(["--json", "schedules", "delete", "nightly"]);
    expect(JSON.parse(deleted.stdout)).toEqual({ name: "nightly", deleted: true });
    const gone = await admin(["schedules", "get", "nightly"]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain("schedule nightly was not found (HTTP 404)");
  });

  it("schedules put takes the README's example sweep of the example policy", async () => {
    expect((await admin(["policy", "apply", "-f", "examples/policies/payments-tls.yaml"])).code).toBe(0);
    const put = await admin(["schedules", "put", "payments-tls", "-f", "examples/payments-tls-sweep.yaml"]);
    expect(put.code, put.stderr).toBe(0);
    expect((await admin(["schedules", "list"])).stdout).toMatch(
      /payments-tls\s+cron 0 3 \* \* \* \(UTC\)\s+audit\s+payments-tls/,
    );
    expect((await admin(["schedules", "delete", "payments-tls"])).code).toBe(0);
  });

  it("schedules refuse bad input with exit 3", async () => {
    const other = await admin([
      "schedules",
      "put",
      "weekly",
      "-f",
      await file("n.yaml", { name: "nightly", ...SWEEP }),
    ]);
    expect(other.code).toBe(3);
    expect(other.stderr).toContain("names schedule nightly, not weekly");
    const badCron = await admin([
      "schedules",
      "put",
      "weekly",
      "-f",
      await file("c.yaml", { ...SWEEP, cron: "0 3" }),
    ]);
    expect(badCron.code).toBe(3);
    expect(badCron.stderr).toMatch(/\n {2}cron: not a valid cron expression/);
    const operatorPut = await operator(["schedules", "list"]);
    expect(operatorPut.code).toBe(3);
    expect(operatorPut.stderr).toContain("your role cannot do this (HTTP 403)");
    expect((await admin(["schedules", "put", "weekly", "-f", join(dir, "missing.yaml")])).code).toBe(3);
  });

  it("audit lists who changed what, pages on with --since, refuses a bad --since", async () => {
    const res = await admin(["audit", "--limit", "2"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/AT\s+ACTOR\s+ACTION\s+SUBJECT/);
    const next = /\(more: enforcer audit --since (\S+)\)/.exec(res.stdout)?.[1] ?? "";
    const rest = await admin(["--json", "audit", "--since", next, "--limit", "1000"]);
    const actions = JSON.parse(rest.stdout).items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["schedule.put", "schedule.delete", "rollout.revert"]));
    expect((await admin(["audit", "--since", "2020-01-01T00:00:00Z"])).stdout).toMatch(
      /alice\s+rollout\.create/,
    );
    const bad = await admin(["audit", "--since", "yesterday"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("query.since");
  });

  it("gateways: exit 0 when every gateway answers and takes its token, 1 when one does not", async () => {
    const ok = await operator(["gateways"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/default\s+yes\s+valid/);
    h.sim.state.update({ token: "rotated-elsewhere" });
    try {
      const refused = await operator(["gateways"]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/default\s+yes\s+refused/);
    } finally {
      h.sim.state.update({ token: GATEWAY_TOKEN });
    }
    expect((await operator(["--url", "http://127.0.0.1:1", "gateways"])).code).toBe(4);
  });

  it("prints the service's text terminal-safe", async () => {
    const HOSTILE = "evil\x1b[2J\u202e\r\x07";
    const answers: Record<string, unknown> = {
      "/v1/audit": {
        items: [{ id: "1-0", at: "2026-01-01T00:00:00.000Z", actor: HOSTILE, action: "x", detail: HOSTILE }],
        nextCursor: null,
      },
      "/v1/gateways": { items: [{ name: "eu", reachable: false, tokenValid: null, error: HOSTILE }] },
    };
    const server: Server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answers[(req.url ?? "").split("?")[0] ?? ""]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const args of [["audit"], ["gateways"]]) {
        const res = await runCli(url, TOKENS.admin, args);
        expect(res.stdout).toContain("evil\\x1b[2J\\u202e\\r\\x07");
        expect(res.stdout).not.toContain("\x1b[2J");
      }
    } finally {
      server.close();
    }
  });
});
