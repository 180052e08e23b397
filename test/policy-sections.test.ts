// Policies of several settings sections, end to end: one PATCH per section in registry order, per
// proxy type, per manager generation, judged by constraints under read-back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeedProject } from "../src/simulator/types.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { tlsFleet, tlsProxy } from "./helpers/tls-fleet.js";

const FLEET: SeedProject[] = [
  {
    name: "Payments",
    proxies: [
      { name: "orders", type: "REST" },
      { name: "ledger", type: "SOAP" },
      { name: "refunds", type: "REST" },
      { name: "assistant", type: "AI" },
    ],
  },
];
const CORS_MESSAGE = "CORS origin list is locked by the API owner";
const POLICY_4 = {
  mtls: POLICY.mtls,
  cors: {
    corsActive: true,
    allowOriginList: ["https://pay.example"],
    allowCredentials: "true",
    maxAge: { max: 600 },
  },
  connection: { connectTimeout: { max: 10 }, readTimeout: 30, retryCount: 1 },
  trafficLog: { enabledTraceLog: false, enabledApplicationLog: true },
};

describe("a policy of several sections", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("sections", {
      fleet: FLEET,
      permanentFailures: [{ project: "Payments", proxy: "refunds", section: "cors", message: CORS_MESSAGE }],
    });
  });
  afterAll(() => h?.stop());

  const targetsOf = async (id: string) =>
    Object.fromEntries(
      (await h.api("GET", `/v1/rollouts/${id}/targets`)).body.items.map((t: { proxy: string }) => [
        t.proxy,
        t,
      ]),
    );

  it("PATCHes each proxy once per section that applies to its type; a failure names its section", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY_4,
      targets: { projects: ["Payments"] },
      strategy: { maxErrors: 1 },
    });
    expect(created.status).toBe(202);
    expect(created.body.warnings).toEqual([]);
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    expect(done.counts).toMatchObject({ total: 4, succeeded: 3, failed: 1 });

    for (const name of ["orders", "ledger"]) {
      const proxy = h.sim.state.proxy("Payments", name);
      expect(proxy?.patchCounts, name).toMatchObject({
        mtls: 1,
        cors: 1,
        connection: 1,
        trafficLog: 1,
        circuitBreaker: 0,
      });
      expect(proxy?.settings.cors).toMatchObject({
        corsActive: true,
        allowOriginList: ["https://pay.example"],
        maxAge: 600,
      });
      expect(proxy?.settings.connection).toMatchObject({
        connectTimeout: 10,
        readTimeout: 30,
        retryCount: 1,
      });
    }
    // An AI proxy gets the sections that apply to it; the manager would refuse mTLS and connection.
    const ai = h.sim.state.proxy("Payments", "assistant");
    expect(ai?.patchCounts).toMatchObject({ mtls: 0, cors: 1, connection: 0, trafficLog: 1 });
    const targets = await targetsOf(created.body.id);
    expect(targets.assistant).toMatchObject({
      status: "succeeded",
      reason: "proxy type AI does not support mTLS, connection settings (not sent)",
    });
    // Sections go in registry order and stop at the first failure: mTLS was saved, CORS refused.
    expect(targets.refunds).toMatchObject({
      status: "failed",
      error: { httpStatus: 400, message: `CORS settings: ${CORS_MESSAGE}` },
    });
    expect(h.sim.state.proxy("Payments", "refunds")?.patchCounts).toMatchObject({
      mtls: 1,
      cors: 0,
      connection: 0,
    });
  });

  it("a dry run's planned targets show one request per section, then a deploy per environment", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY_4,
      targets: { projects: ["Payments"], proxies: ["orders", "assistant"] },
      deploy: { environments: ["production"] },
      dryRun: true,
    });
    await h.waitForStatus(created.body.id, ["succeeded"]);
    const targets = await targetsOf(created.body.id);
    const paths = (t: { requests: Array<{ path: string }> }) =>
      t.requests.flatMap((r) => r.path.split("/settings/")[1] ?? []);
    expect(paths(targets.orders)).toEqual(["mtls/", "cors/", "connection/", "traffic-log/"]);
    expect(paths(targets.assistant)).toEqual(["cors/", "traffic-log/"]);
    expect(targets.orders.requests[1].body).toEqual({
      corsSettings: {
        corsActive: true,
        allowOriginList: ["https://pay.example"],
        allowCredentials: "true",
        maxAge: 600,
      },
    });
    // The documented deploy endpoint (the default deployStyle): no deploy fields in any PATCH.
    for (const request of targets.orders.requests.slice(0, 4)) expect(request.body.deploy).toBeUndefined();
    expect(targets.orders.requests[4]).toEqual({
      method: "POST",
      path: "/apiops/projects/Payments/apiProxies/orders/environments/production/",
    });
  });
});

describe("TLS 1.2 or better, judged under read-back", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "tls12plus",
      {
        fleet: tlsFleet("STRICT", tlsProxy("all-protocols", [])),
      },
      {},
      { gateway: { readBack: "full" } },
    );
  });
  afterAll(() => h?.stop());

  it("skips the TLS-1.3-only proxy as compliant and patches the TLS 1.0 and empty-list ones", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: { mtls: { supportedProtocolList: { min: "TLS_1_2" }, hostnameVerifierType: "STRICT" } },
      targets: { projects: ["Payments"] },
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    expect(done.status).toBe("succeeded");
    expect(done.counts).toMatchObject({ succeeded: 2, skipped: 1 });
    expect(h.sim.state.proxy("Payments", "tls13-only")?.patchCounts.mtls).toBe(0);
    for (const name of ["tls10", "all-protocols"]) {
      expect(h.sim.state.proxy("Payments", name)?.settings.mtls.supportedProtocolList, name).toEqual([
        "TLS_1_3",
        "TLS_1_2",
      ]);
    }
  });
});

describe("the mTLS store spelling follows the gateway's generation", () => {
  let classic: Harness;
  let misconfigured: Harness;
  const body = { policy: POLICY, targets: { projects: ["project-001"] }, strategy: { maxErrors: "100%" } };
  beforeAll(async () => {
    const sim = { flavour: "classic" as const, projects: 1, proxiesPerProject: 2 };
    [classic, misconfigured] = await Promise.all([
      startHarness("stores-classic", sim, { APINIZER_GENERATION: "classic" }),
      startHarness("stores-wrong", sim, { APINIZER_GENERATION: "newer" }),
    ]);
  });
  afterAll(() => Promise.all([classic?.stop(), misconfigured?.stop()]));

  it("a classic gateway gets keyStoreName for the policy's keyStoreId; sent as keyStoreId it is refused", async () => {
    const ok = await classic.api("POST", "/v1/rollouts", body);
    expect((await classic.waitForStatus(ok.body.id, ["succeeded", "failed"])).status).toBe("succeeded");
    expect(classic.sim.state.proxy("project-001", "proxy-00001")?.settings.mtls).toMatchObject({
      keyStoreName: POLICY.mtls.keyStoreId,
      trustStoreName: POLICY.mtls.trustStoreId,
    });

    const wrong = await misconfigured.api("POST", "/v1/rollouts", body);
    const failed = await misconfigured.waitForStatus(wrong.body.id, ["succeeded", "failed"]);
    expect(failed.counts).toMatchObject({ failed: 2 });
    const [target] = (await misconfigured.api("GET", `/v1/rollouts/${wrong.body.id}/targets`)).body.items;
    expect(target.error).toMatchObject({ httpStatus: 400, message: expect.stringMatching(/keyStoreId/) });
  });
});
