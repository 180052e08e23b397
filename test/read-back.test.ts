import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeedProject } from "../src/simulator/types.js";
import { GATEWAY_TOKEN, type Harness, POLICY, startHarness } from "./helpers/service.js";

// p1 already complies; p2 has TLS 1.0 and no hostname check; p4 loses writes (the manager says
// "saved" and keeps the old values); p5 and p6 have never been configured.
const COMPLIANT = { ...POLICY.mtls, supportedProtocolList: ["TLS_1_3" as const, "TLS_1_2" as const] };
const FLEET: SeedProject[] = [
  {
    name: "Payments",
    proxies: [
      { name: "p1", mtls: COMPLIANT },
      {
        name: "p2",
        mtls: {
          enabled: true,
          keyStoreId: "old-ks",
          supportedProtocolList: ["TLS_1_0"],
          hostnameVerifierType: "NOOP",
        },
      },
      { name: "p3" },
      { name: "p4" },
      { name: "p5" },
    ],
  },
];

describe("read-back: skip compliant proxies, verify, and revert with compare-and-set", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "readback",
      { fleet: FLEET, lostWrites: [{ project: "Payments", proxy: "p4" }] },
      {},
      { gateway: { readBack: "full" } },
    );
  });
  afterAll(() => h?.stop());

  const targetsOf = async (id: string) =>
    Object.fromEntries(
      (await h.api("GET", `/v1/rollouts/${id}/targets`)).body.items.map((t: { proxy: string }) => [
        t.proxy,
        t,
      ]),
    );

  it("a dry run with read-back reports exactly the proxies it would change", async () => {
    // The other test changes the fleet: start from the seed, whatever ran before.
    h.sim.state.reset();
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Payments"] },
      dryRun: true,
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed"]);
    expect(done.counts).toMatchObject({ planned: 4, skipped: 1 });
    const targets = await targetsOf(created.body.id);
    expect(targets.p1).toMatchObject({ status: "skipped", reason: "compliant" });
    expect(h.sim.state.totalPatches()).toBe(0);
  });

  it("skips the compliant proxy, patches the rest, and fails the one whose write was lost", async () => {
    h.sim.state.reset();
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Payments"] },
      strategy: { maxErrors: 1 },
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    expect(done.status).toBe("failed");
    const targets = await targetsOf(created.body.id);
    expect(targets.p1).toMatchObject({ status: "skipped", reason: "compliant" });
    expect(h.sim.state.proxy("Payments", "p1")?.patchCount).toBe(0);
    expect(targets.p4).toMatchObject({ status: "failed" });
    expect(targets.p4.error.message).toMatch(/^verification: .*enabled/);
    for (const name of ["p2", "p3", "p5"]) {
      expect(targets[name].status, name).toBe("succeeded");
      expect(h.sim.state.proxy("Payments", name)?.mtls, name).toMatchObject(POLICY.mtls);
    }

    // Someone changes p3 by hand after the rollout; revert must leave it alone.
    const res = await fetch(`${h.sim.url}/apiops/projects/Payments/apiProxies/p3/settings/mtls/`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ hostnameVerifierType: "DEFAULT" }),
    });
    expect(res.status).toBe(200);

    const revert = await h.api("POST", `/v1/rollouts/${created.body.id}/revert`);
    expect(revert.status).toBe(202);
    expect(revert.body.revertOf).toBe(created.body.id);
    const reverted = await h.waitForStatus(revert.body.id, ["succeeded", "failed", "paused"]);
    expect(reverted.status).toBe("succeeded");
    const rt = await targetsOf(revert.body.id);
    expect(Object.keys(rt).sort()).toEqual(["p2", "p3", "p5"]);
    expect(rt.p3).toMatchObject({
      status: "skipped",
      reason: expect.stringMatching(/^conflict: .*hostnameVerifierType/),
    });
    expect(rt.p2.status).toBe("succeeded");
    expect(h.sim.state.proxy("Payments", "p2")?.mtls).toMatchObject({
      enabled: true,
      keyStoreId: "old-ks",
      supportedProtocolList: ["TLS_1_0"],
      hostnameVerifierType: "NOOP",
    });
    expect(h.sim.state.proxy("Payments", "p5")?.mtls).toMatchObject({
      enabled: false,
      hostnameVerifierType: "NOOP",
    });
    expect(h.sim.state.proxy("Payments", "p3")?.mtls.hostnameVerifierType).toBe("DEFAULT");

    // Reverting the same rollout again returns the first revert.
    const again = await h.api("POST", `/v1/rollouts/${created.body.id}/revert`);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(revert.body.id);
  });
});

describe("revert without read-back", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("noreadback", { projects: 1, proxiesPerProject: 3 });
  });
  afterAll(() => h?.stop());

  it("answers 409 with the reason", async () => {
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    await h.waitForStatus(created.body.id, ["succeeded"]);
    const revert = await h.api("POST", `/v1/rollouts/${created.body.id}/revert`);
    expect(revert.status).toBe(409);
    expect(revert.body.message).toMatch(/no read-back/);
  });
});
