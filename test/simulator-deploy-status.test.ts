// The simulator's `GET …/environments/{env}/deploy-status/`: what a save and a deploy do to it,
// in both generations, in the published document's answer shape.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/server.js";
import type { Flavour, RunningSimulator } from "../src/simulator/types.js";
import { loadReferenceDocument, OpenApiValidator } from "./helpers/openapi-validator.js";
import { call, mtlsPath, proxyPath } from "./helpers/simulator-http.js";

const TOKEN = "sim-deploy-status-token";
const doc = loadReferenceDocument();
const validator = doc && new OpenApiValidator(doc);

describe.each<Flavour>(["classic", "newer"])("deploy status (%s)", (flavour) => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      flavour,
      token: TOKEN,
      fleet: [
        {
          name: "Payments",
          proxies: [
            { name: "orders", deployedTo: ["test", "production"] },
            { name: "stale", deployedTo: ["production"], redeployRequired: ["production"] },
          ],
        },
      ],
    });
  });
  afterAll(() => sim?.close());
  // Each test starts from the seeded fleet, in any order.
  beforeEach(() => sim.state.reset());
  const status = (proxy: string, env: string) =>
    call(sim, "GET", proxyPath("Payments", proxy, `environments/${env}/deploy-status/`), { token: TOKEN });

  it("answers the seeded state as ApiOpsResponseDeployStatus", async () => {
    const live = await status("orders", "production");
    expect(live.status).toBe(200);
    expect(live.json).toEqual({
      status: "SUCCESS",
      resultList: [
        { deployed: true, redeployRequired: false, revision: 1, lastDeployTime: expect.any(String) },
      ],
      resultCount: 1,
    });
    if (validator) expect(validator.validate("ApiOpsResponseDeployStatus", live.json)).toEqual([]);
    expect((await status("stale", "production")).json.resultList[0]).toMatchObject({
      deployed: true,
      redeployRequired: true,
    });
    expect((await status("stale", "test")).json.resultList[0]).toEqual({
      deployed: false,
      redeployRequired: false,
      revision: 0,
    });
  });

  it("a save makes deployed environments need a redeploy; a deploy clears it and counts a revision", async () => {
    const saved = await call(sim, "PATCH", mtlsPath("Payments", "orders"), {
      token: TOKEN,
      body: { hostnameVerifierType: "STRICT" },
    });
    expect(saved.status).toBe(200);
    expect((await status("orders", "test")).json.resultList[0]).toMatchObject({ redeployRequired: true });
    await call(sim, "POST", proxyPath("Payments", "orders", "environments/test/"), { token: TOKEN });
    expect((await status("orders", "test")).json.resultList[0]).toMatchObject({
      deployed: true,
      redeployRequired: false,
      revision: 2,
    });
    expect(sim.state.proxy("Payments", "orders")?.deployments.production).toMatchObject({
      redeployRequired: true,
    });
  });

  it("an unknown environment is a 400 naming it", async () => {
    const answer = await status("orders", "staging");
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Environment (name: staging) was not found");
  });

  it("refuses a seed whose redeployRequired names an environment it is not deployed to", async () => {
    await expect(
      startSimulator({
        fleet: [
          { name: "P", proxies: [{ name: "a", deployedTo: ["test"], redeployRequired: ["production"] }] },
        ],
      }),
    ).rejects.toThrow(/redeployRequired names environments not in deployedTo/);
  });
});
