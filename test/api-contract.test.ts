// Real answers of the rollout API, the reports and the operations routes, each checked against
// the zod contract its route declares (test/helpers/contract.ts): so /openapi.json, generated
// from those declarations, cannot drift from what the service sends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiDocument } from "../src/http/api-document.js";
import type { SeedProject } from "../src/simulator/types.js";
import { contractChecked, ROLLOUT_OPERATIONS } from "./helpers/contract.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

// p1 complies already; p2 holds a weak mTLS setup; the others were never configured.
const FLEET: SeedProject[] = [
  {
    name: "Payments",
    proxies: [
      { name: "p1", mtls: { ...POLICY.mtls, supportedProtocolList: ["TLS_1_3", "TLS_1_2"] } },
      { name: "p2", mtls: { enabled: true, keyStoreId: "old", hostnameVerifierType: "NOOP" } },
      { name: "p3" },
      { name: "p4" },
    ],
  },
  { name: "Broken", proxies: [{ name: "refused" }] },
];

// The last test counts the operations the others exercised: the order is kept when shuffled.
describe("the rollout API answers as its contracts say", { shuffle: false }, () => {
  let h: Harness;
  let checked: ReturnType<typeof contractChecked>;
  const api: Harness["api"] = (...args) => checked.api(...args);
  const create = (body: Record<string, unknown>, init?: Parameters<Harness["api"]>[3]) =>
    api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["Payments"] }, ...body }, init);

  beforeAll(async () => {
    h = await startHarness(
      "api-contract",
      {
        fleet: FLEET,
        permanentFailures: [{ project: "Broken", proxy: "refused", message: "no such keystore" }],
      },
      {},
      { gateway: { readBack: "full" } },
    );
    checked = contractChecked(h);
  });
  afterAll(() => h?.stop());

  it("serves the document scripts/openapi.ts writes, and the operations routes", async () => {
    const served = await api("GET", "/openapi.json", undefined, { token: null });
    expect(served.body).toEqual(JSON.parse(JSON.stringify(apiDocument())));
    await api("GET", "/healthz", undefined, { token: null });
    expect((await api("GET", "/readyz", undefined, { token: null })).status).toBe(200);
    expect((await api("GET", "/metrics", undefined, { token: null })).body).toContain("# HELP");
  });

  it("a dry run with read-back: created, replayed, listed, its targets with changes and requests", async () => {
    const key = { headers: { "idempotency-key": "CHG-1" } };
    const first = await create({ dryRun: true, description: "contract" }, key);
    expect(first.status).toBe(202);
    expect((await create({ dryRun: true, description: "contract" }, key)).status).toBe(200);
    expect((await create({ dryRun: true }, key)).status).toBe(409);
    const id = first.body.id;
    const done = await h.waitForStatus(id, ["succeeded"]);
    expect(done.counts).toMatchObject({ planned: 3, skipped: 1 });

    expect((await api("GET", `/v1/rollouts/${id}`)).body.readBack).toBe(true);
    expect((await api("GET", "/v1/rollouts?limit=5")).body.items.length).toBeGreaterThan(0);
    const planned = await api("GET", `/v1/rollouts/${id}/targets?status=planned`);
    const p2 = planned.body.items.find((t: { proxy: string }) => t.proxy === "p2");
    expect(p2.changes.length).toBeGreaterThan(0);
    expect(p2.requests[0]).toMatchObject({ method: "PATCH" });
    await api("GET", `/v1/rollouts/${id}/targets?limit=1`);

    // The stream of a finished rollout: its end event, then the stream closes.
    const events = await api("GET", `/v1/rollouts/${id}/events`, undefined, { token: TOKENS.viewer });
    expect(events.body).toContain("event: end");
    const json = await api("GET", `/v1/rollouts/${id}/report?format=json`);
    expect(json.body.targets).toHaveLength(4);
    const csv = await api("GET", `/v1/rollouts/${id}/report?format=csv`);
    expect(csv.body.split(/\r?\n/)[0]).toBe(
      "project,proxy,status,wave,attempts,httpStatus,message,reason,updatedAt,deployments",
    );
  });

  it("control, retry and revert answer the rollout, or why not", async () => {
    const gated = await create({ strategy: { waves: [1, "100%"], pauseBetweenWaves: true } });
    const id = gated.body.id;
    await h.waitForStatus(id, ["paused"]);
    expect((await api("POST", `/v1/rollouts/${id}/pause`)).status).toBe(409);
    expect((await api("POST", `/v1/rollouts/${id}/resume`)).status).toBe(200);
    await h.waitForStatus(id, ["succeeded"]);
    expect((await api("POST", `/v1/rollouts/${id}/retry`)).status).toBe(409);
    expect((await api("POST", `/v1/rollouts/${id}/cancel`)).status).toBe(409);

    const revert = await api("POST", `/v1/rollouts/${id}/revert`);
    expect(revert.status).toBe(202);
    expect(revert.body.revertOf).toBe(id);
    expect((await api("POST", `/v1/rollouts/${id}/revert`)).status).toBe(200);
    expect((await api("POST", `/v1/rollouts/${revert.body.id}/revert`)).status).toBe(409);
    // The revert keeps the rollout's strategy, so it pauses between its waves too.
    await h.waitForStatus(revert.body.id, ["paused"]);

    const failing = await create({ targets: { projects: ["Broken"] }, strategy: { maxErrors: 1 } });
    await h.waitForStatus(failing.body.id, ["failed"]);
    expect((await api("POST", `/v1/rollouts/${failing.body.id}/retry`)).body.status).toBe("running");

    const baking = await create({ strategy: { waves: [1, "100%"], bakeSeconds: 60 } });
    await h.waitForStatus(baking.body.id, ["running"]);
    expect((await api("POST", `/v1/rollouts/${baking.body.id}/pause`)).body.status).toBe("paused");
    expect((await api("POST", `/v1/rollouts/${baking.body.id}/cancel`)).body.status).toBe("cancelled");
  });

  it("refusals carry the error body and the status their route lists", async () => {
    expect((await create({ targets: {} })).status).toBe(400);
    expect((await create({ dryRun: true }, { token: TOKENS.viewer })).status).toBe(403);
    expect((await create({ dryRun: true }, { token: null })).status).toBe(401);
    const wrongType = await api("POST", "/v1/rollouts", "x", { headers: { "content-type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    expect((await api("GET", "/v1/rollouts/r0000000000000000x")).status).toBe(404);
    expect((await api("GET", "/v1/rollouts?limit=0")).status).toBe(400);
    expect((await api("POST", "/v1/rollouts/r0000000000000000x/retry")).status).toBe(404);
    expect((await api("GET", "/v1/rollouts/r0000000000000000x/report")).status).toBe(404);
  });

  it("exercised every operation this file is responsible for", () => {
    expect([...checked.succeeded].sort()).toEqual([...ROLLOUT_OPERATIONS].sort());
  });
});
