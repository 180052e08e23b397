import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Flavour, SeedProject } from "../src/simulator/types.js";
import { type Harness, mtlsAsStored, POLICY, startHarness } from "./helpers/service.js";

const FLEET: SeedProject[] = [
  {
    name: "Payments",
    proxies: [
      { name: "orders-api" },
      { name: "orders-v2" },
      { name: "orders-ai", type: "AI" },
      { name: "legacy-orders" },
      { name: "Billing API" },
      { name: "pay/refunds" },
      { name: "café-ü" },
    ],
  },
  { name: "Shipping", proxies: [{ name: "orders-track" }, { name: "shipments" }, { name: "legacy-x" }] },
];
const TARGETED = [
  ["Payments", "café-ü"],
  ["Payments", "orders-api"],
  ["Payments", "orders-v2"],
  ["Payments", "pay/refunds"],
  ["Shipping", "orders-track"],
];
const UNTOUCHED = [
  ["Payments", "legacy-orders"],
  ["Payments", "Billing API"],
  ["Payments", "orders-ai"],
  ["Shipping", "shipments"],
  ["Shipping", "legacy-x"],
];
const TARGETS = {
  projects: ["Payments", "Shipping"],
  include: ["orders-*", "pay/*", "café*"],
  exclude: ["legacy-*"],
};

describe.each<Flavour>(["classic", "newer"])("a rollout end to end (%s manager)", (flavour) => {
  let h: Harness;
  const policy = POLICY;
  beforeAll(async () => {
    h = await startHarness(`flow-${flavour}`, { flavour, fleet: FLEET });
  });
  afterAll(() => h?.stop());
  // Each test starts from the seeded fleet, whatever ran before it.
  beforeEach(() => h.sim.state.reset());

  it("sets the policy on every targeted proxy, skips AI proxies and leaves the rest untouched", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy,
      targets: TARGETS,
      description: "CHG-1",
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      status: "planning",
      links: { self: `/v1/rollouts/${created.body.id}` },
    });
    expect(created.headers.get("location")).toBe(`/v1/rollouts/${created.body.id}`);

    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    expect(done.status).toBe("succeeded");
    expect(done.createdBy).toBe("alice");
    expect(done.counts).toEqual({
      total: 6,
      pending: 0,
      running: 0,
      succeeded: 5,
      failed: 0,
      skipped: 1,
      cancelled: 0,
      planned: 0,
    });
    expect(done.finishedAt).not.toBeNull();

    for (const [project, proxy] of TARGETED) {
      const record = h.sim.state.proxy(project ?? "", proxy ?? "");
      expect(record?.mtls, `${project}/${proxy}`).toMatchObject(mtlsAsStored(flavour));
      expect(record?.patchCount, `${project}/${proxy}`).toBe(1);
    }
    for (const [project, proxy] of UNTOUCHED) {
      expect(h.sim.state.proxy(project ?? "", proxy ?? "")?.patchCount, `${project}/${proxy}`).toBe(0);
    }
    expect(h.sim.state.totalPatches()).toBe(5);

    const targets = await h.api("GET", `/v1/rollouts/${created.body.id}/targets`);
    expect(targets.body.items.map((t: { project: string; proxy: string }) => [t.project, t.proxy])).toEqual([
      ...TARGETED,
      ["Payments", "orders-ai"],
    ]);
    const skipped = targets.body.items.at(-1);
    expect(skipped).toMatchObject({
      status: "skipped",
      reason: "proxy type AI does not support mTLS settings",
    });
    expect(targets.body.items[0]).toMatchObject({ status: "succeeded", wave: 1, attempts: 1, error: null });
  });

  it("deploys to the named environments in the same step", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy,
      targets: { projects: ["Shipping"], proxies: ["shipments"] },
      deploy: { environments: ["production"] },
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(h.sim.state.proxy("Shipping", "shipments")?.deploys).toEqual(["production"]);
  });
});

describe("rollout planning", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("planning", { projects: 3, proxiesPerProject: 30, aiEvery: 10 });
  });
  afterAll(() => h?.stop());
  beforeEach(() => h.sim.state.reset());

  it("a dry run records what would be sent and sends nothing", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      dryRun: true,
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({ status: "succeeded", dryRun: true });
    expect(done.counts).toMatchObject({ total: 90, planned: 81, skipped: 9, succeeded: 0 });
    expect(h.sim.state.totalPatches()).toBe(0);
    const planned = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=planned&limit=1`);
    expect(planned.body.items[0]).toMatchObject({
      status: "planned",
      requests: [
        {
          method: "PATCH",
          path: "/apiops/projects/project-001/apiProxies/proxy-00001/settings/mtls/",
          body: POLICY.mtls,
        },
      ],
    });
  });

  it("refuses a rollout larger than maxTargets before sending anything", async () => {
    const before = h.sim.state.totalPatches();
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { maxTargets: 50 },
    });
    const done = await h.waitForStatus(created.body.id, ["failed", "succeeded"]);
    expect(done.status).toBe("failed");
    expect(done.failureReason).toMatch(/81 proxies, more than maxTargets 50/);
    expect(h.sim.state.totalPatches()).toBe(before);
  });

  it("a named proxy that does not exist is a failed target, not a silent drop", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-002"], proxies: ["proxy-00031", "no-such-proxy"] },
      strategy: { maxErrors: 1 },
    });
    const done = await h.waitForStatus(created.body.id, ["failed", "succeeded", "paused"]);
    expect(done.status).toBe("failed");
    expect(done.counts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    const failed = await h.api("GET", `/v1/rollouts/${created.body.id}/targets?status=failed`);
    expect(failed.body.items).toEqual([
      expect.objectContaining({
        project: "project-002",
        proxy: "no-such-proxy",
        error: expect.objectContaining({ message: expect.stringMatching(/not found/) }),
      }),
    ]);
  });

  it("a project the gateway cannot list fails planning with the gateway's message", async () => {
    const before = h.sim.state.totalPatches();
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["Nope"] } });
    const done = await h.waitForStatus(created.body.id, ["failed", "succeeded"]);
    expect(done.status).toBe("failed");
    expect(done.failureReason).toMatch(/project Nope/);
    expect(h.sim.state.totalPatches()).toBe(before);
  });

  it("the same Idempotency-Key returns the first rollout; another body with it is a conflict", async () => {
    const body = { policy: POLICY, targets: { projects: ["project-003"] }, dryRun: true };
    const headers = { "idempotency-key": "CHG-42" };
    const first = await h.api("POST", "/v1/rollouts", body, { headers });
    const again = await h.api(
      "POST",
      "/v1/rollouts",
      { dryRun: true, targets: body.targets, policy: body.policy },
      { headers },
    );
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await h.api("POST", "/v1/rollouts", { ...body, description: "different" }, { headers });
    expect(other.status).toBe(409);
    expect(other.body.error).toBe("conflict");
  });

  it("pages targets and rollouts stably", async () => {
    // A failed rollout of its own, whatever ran before (planning refused: nothing is sent); and
    // with it, at least two rollouts to page through.
    const refused = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { maxTargets: 1 },
    });
    await h.waitForStatus(refused.body.id, ["failed"]);
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      dryRun: true,
    });
    await h.waitForStatus(created.body.id, ["succeeded"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ proxy: string; project: string }>; nextCursor: string | null } } =
        await h.api(
          "GET",
          `/v1/rollouts/${created.body.id}/targets?limit=7${cursor ? `&cursor=${cursor}` : ""}`,
        );
      seen.push(...page.body.items.map((t) => `${t.project}/${t.proxy}`));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(90);
    expect(new Set(seen).size).toBe(90);

    const list = await h.api("GET", "/v1/rollouts?limit=2");
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0].id).toBe(created.body.id);
    const next = await h.api("GET", `/v1/rollouts?limit=100&cursor=${list.body.nextCursor}`);
    expect(next.body.items.map((r: { id: string }) => r.id)).not.toContain(created.body.id);
    const failed = await h.api("GET", "/v1/rollouts?status=failed");
    expect(failed.body.items.length).toBeGreaterThan(0);
    expect(failed.body.items.every((r: { status: string }) => r.status === "failed")).toBe(true);
  });
});
