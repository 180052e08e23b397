// Rollouts whose targets deploy, end to end through the service: against a mock manager built from
// the published OpenAPI document (every request validated, deployment answers scripted), a target
// succeeds only when each environment was positively reported deployed and, with deploy-status
// read-back, its status confirms it; a dry run reports proxies saved but not deployed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OpenApiMock, publishedDeployment, startOpenApiMock } from "./helpers/openapi-mock.js";
import { loadReferenceDocument, REFERENCE_FILE } from "./helpers/openapi-validator.js";
import { GATEWAY_TOKEN, type Harness, POLICY, startHarness } from "./helpers/service.js";

const doc = loadReferenceDocument();
const TITLE = "deployments against a mock of the published document";

describe.skipIf(doc === undefined)(doc ? TITLE : `${TITLE} (skipped: ${REFERENCE_FILE} is absent)`, () => {
  let mock: OpenApiMock;
  let h: Harness;
  beforeAll(async () => {
    if (doc === undefined) return;
    mock = await startOpenApiMock(doc, {
      token: GATEWAY_TOKEN,
      fleet: { Payments: ["orders", "refunds"] },
    });
    // The `default` gateway from the environment alone: no deployStyle given, deploy status read.
    h = await startHarness(
      "strict-deploy",
      { flavour: "classic", projects: 0 },
      { APINIZER_DEPLOY_STATUS: "read" },
      { managerUrl: mock.url },
    );
  });
  afterAll(async () => {
    await h?.stop();
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  /** One rollout over `proxies`, deploying to `environments`; resolves with its finished view. */
  async function roll(proxies: string[], environments = ["production"], extra = {}) {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Payments"], proxies },
      deploy: { environments },
      // A failed target ends the rollout `failed` rather than pausing it.
      strategy: { maxErrors: proxies.length },
      ...extra,
    });
    expect(created.status).toBe(202);
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    const targets = await h.api("GET", `/v1/rollouts/${created.body.id}/targets`);
    return { done, targets: targets.body.items as any[] };
  }

  it("deploys by the documented endpoint by default, every request as the document describes", async () => {
    const { done, targets } = await roll(["orders"], ["test", "production"]);
    expect(done.status).toBe("succeeded");
    expect(targets[0]).toMatchObject({ proxy: "orders", status: "succeeded", error: null });
    expect(mock.violations()).toEqual([]);
    const calls = mock.requests.filter((r) => r.path.includes("/apiProxies/orders/"));
    expect(calls.map((r) => r.operationId)).toEqual([
      "updateMtlsSettings",
      "deployApiProxy",
      "deployApiProxy",
      "getApiProxyDeployStatus",
      "getApiProxyDeployStatus",
    ]);
    expect(calls[0]?.body).not.toHaveProperty("deploy");
    expect(mock.tracked("Payments", "orders", "production")).toMatchObject({ redeployRequired: false });
  });

  const MALFORMED: Array<[string, (environment: string) => unknown, string]> = [
    [
      "a result missing the requested environment",
      () => ({ success: true, detailList: [publishedDeployment("test")] }),
      "not confirmed: the deployment result does not name production (it names test)",
    ],
    [
      "success missing",
      (env) => ({ envName: env, detail: "done" }),
      'not confirmed: the deployment result\'s entry for production has no "success": true',
    ],
    ["{}", () => ({}), "not confirmed: the deployment result names no environment and reports no success"],
    [
      "an unknown environment name",
      () => publishedDeployment("Production"),
      "not confirmed: the deployment result does not name production (it names Production)",
    ],
    ["no deploymentResult", () => undefined, "the manager reported no deployment result"],
  ];

  it.each(MALFORMED)(
    "a deployment answer with %s fails the target, naming the environment",
    async (_, answer, why) => {
      mock.answers.deploymentResult = (call) => answer(call.environment);
      const { done, targets } = await roll(["orders"]);
      expect(done.status).toBe("failed");
      expect(done.counts).toMatchObject({ failed: 1, succeeded: 0 });
      expect(targets[0]).toMatchObject({
        status: "failed",
        error: { httpStatus: 200, message: `deployment failed: production: ${why}` },
      });
      expect(mock.violations()).toEqual([]);
    },
  );

  it.each([
    ["still needs a redeploy", { redeployRequired: true }, "redeployRequired: true (saved but not deployed)"],
    ["is not deployed", { deployed: false }, "deployed: false, redeployRequired: false"],
    ["leaves redeployRequired out", { redeployRequired: undefined }, "redeployRequired: (missing)"],
  ])("deploy-status read-back fails a reported deployment whose status %s", async (_, override, said) => {
    mock.answers.deployStatus = (_call, tracked) => ({ ...tracked, ...override });
    const { done, targets } = await roll(["orders"]);
    expect(done.status).toBe("failed");
    expect(targets[0].error.message).toMatch(
      /^deployment failed: production: the manager reported it deployed, but its deploy status says /,
    );
    expect(targets[0].error.message).toContain(said);
  });

  it("a dry run reads each environment's deploy status and names the proxies saved but not deployed", async () => {
    mock.answers.deployStatus = (call, tracked) =>
      call.proxy === "refunds" && call.environment === "production"
        ? { ...tracked, redeployRequired: true }
        : tracked;
    const { done, targets } = await roll(["orders", "refunds"], ["test", "production"], { dryRun: true });
    expect(done.status).toBe("succeeded");
    const byName = Object.fromEntries(targets.map((t) => [t.proxy, t]));
    expect(byName.orders).toMatchObject({ status: "planned", reason: null });
    expect(byName.orders).not.toHaveProperty("deployDrift");
    expect(byName.refunds).toMatchObject({
      status: "planned",
      reason: "saved but not deployed to production",
      deployDrift: [
        { environment: "production", state: "redeploy_required", deployed: true, redeployRequired: true },
      ],
    });
    // Reads only: nothing was saved or deployed.
    expect(mock.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});

/** POLICY's mTLS settings, as a proxy that already complies holds them. */
const COMPLIANT = { mtls: { ...POLICY.mtls, supportedProtocolList: [...POLICY.mtls.supportedProtocolList] } };

// A story: the dry run finds the drift the enforcing run then repairs, so the steps keep their order.
describe("deploy drift under read-back, against the simulator", { shuffle: false }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "deploy-drift",
      {
        fleet: [
          {
            name: "Payments",
            proxies: [
              // Complies and runs what is saved.
              { name: "live", deployedTo: ["production"], settings: COMPLIANT },
              // Complies as saved, but the saved settings were never deployed to production.
              {
                name: "stale",
                deployedTo: ["production"],
                redeployRequired: ["production"],
                settings: COMPLIANT,
              },
              // Differs from the policy, and is also not live.
              { name: "drifted", deployedTo: ["production"], redeployRequired: ["production"] },
            ],
          },
        ],
      },
      {},
      { gateway: { readBack: "full", deployStatus: "read" } },
    );
  });
  afterAll(() => h?.stop());

  async function roll(dryRun: boolean) {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Payments"] },
      deploy: { environments: ["production"] },
      dryRun,
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded", "failed", "paused"]);
    const targets = await h.api("GET", `/v1/rollouts/${created.body.id}/targets`);
    return { done, byName: Object.fromEntries(targets.body.items.map((t: any) => [t.proxy, t])) };
  }

  it("a dry run reports a compliant proxy saved but not deployed, with the deploy it would send", async () => {
    const { done, byName } = await roll(true);
    expect(done.status).toBe("succeeded");
    expect(done.counts).toMatchObject({ planned: 2, skipped: 1 });
    expect(byName.live).toMatchObject({ status: "skipped", reason: "compliant" });
    expect(byName.stale).toMatchObject({
      status: "planned",
      reason: "saved but not deployed to production",
      changes: [],
      deployDrift: [{ environment: "production", state: "redeploy_required" }],
      requests: [
        { method: "POST", path: "/apiops/projects/Payments/apiProxies/stale/environments/production/" },
      ],
    });
    expect(byName.drifted).toMatchObject({
      status: "planned",
      reason: "saved but not deployed to production",
    });
    expect(byName.drifted.changes.length).toBeGreaterThan(0);
    expect(h.sim.state.totalPatches()).toBe(0);
    expect(h.sim.state.requestCounts()["POST deploy"] ?? 0).toBe(0);
  });

  it("enforcing redeploys the compliant proxy without a PATCH, and the status confirms every deployment", async () => {
    const { done, byName } = await roll(false);
    expect(done.status).toBe("succeeded");
    expect(byName.live).toMatchObject({ status: "skipped", reason: "compliant" });
    expect(byName.stale).toMatchObject({
      status: "succeeded",
      reason: "compliant, redeployed: saved but not deployed to production",
    });
    expect(byName.drifted).toMatchObject({ status: "succeeded", error: null });
    const stale = h.sim.state.proxy("Payments", "stale");
    expect(stale?.patchCounts.mtls).toBe(0);
    expect(stale?.deployments.production).toMatchObject({ redeployRequired: false, revision: 2 });
    expect(h.sim.state.proxy("Payments", "drifted")?.deployments.production).toMatchObject({
      redeployRequired: false,
    });
    expect(h.sim.state.requestCounts()["GET deploy status"]).toBeGreaterThanOrEqual(2 + 2 + 3);
  });
});
