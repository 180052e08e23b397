// PATCH .../settings/mtls/ and the deploy endpoint: the documented validation, merging and deployment results.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/server.js";
import type { Flavour, RunningSimulator } from "../src/simulator/types.js";
import { call, patchMtls, proxyPath } from "./helpers/simulator-http.js";

const P = "Payments";

async function start(flavour: Flavour): Promise<RunningSimulator> {
  return startSimulator({
    flavour,
    projects: 0,
    fleet: [
      {
        name: P,
        proxies: [
          { name: "orders", deployedTo: ["production"] },
          { name: "refunds" },
          { name: "llm", type: "AI" },
          { name: "mcp", type: "MCP" },
          { name: "a2a", type: "A2A" },
          { name: "legacy" },
          { name: "flaky-deploy" },
        ],
      },
    ],
    permanentFailures: [{ project: P, proxy: "legacy", message: "Proxy is locked by another user" }],
    deployFailures: [
      { project: P, proxy: "flaky-deploy", environment: "production", message: "Gateway pod timed out" },
    ],
  });
}

function messageOf(json: { error_description?: string; resultMessage?: string }): string | undefined {
  return json.error_description ?? json.resultMessage;
}

describe.each<Flavour>(["classic", "newer"])("PATCH mtls (%s)", (flavour) => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await start(flavour);
    return () => sim.close();
  });

  const successBody = flavour === "classic" ? { success: true } : { status: "SUCCESS" };
  const errorKey = flavour === "classic" ? "error_description" : "resultMessage";
  // Each generation's spelling of the stores: by name (the openapi DTO) or by id (the newer docs).
  const [KEY_STORE, TRUST_STORE] =
    flavour === "classic" ? ["keyStoreName", "trustStoreName"] : ["keyStoreId", "trustStoreId"];

  async function expect400(body: unknown, message: string | RegExp, proxy = "orders"): Promise<void> {
    const answer = await patchMtls(sim, P, proxy, body);
    expect(answer.status, JSON.stringify(body)).toBe(400);
    expect(answer.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(answer.json[errorKey]).toMatch(message);
    if (flavour === "classic") expect(answer.json.error).toBe("bad_request");
    else expect(answer.json.status).toBe("FAILURE");
  }

  it("saves the given settings and answers the generation's success envelope", async () => {
    const body = {
      enabled: true,
      [KEY_STORE]: "ks-1",
      [TRUST_STORE]: "ts-1",
      supportedProtocolList: ["TLS_1_2", "TLS_1_3"],
      hostnameVerifierType: "STRICT",
      // Only newer managers have it.
      ...(flavour === "newer" ? { disableSslValidation: false } : {}),
    };
    const answer = await patchMtls(sim, P, "orders", body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(successBody);
    const record = sim.state.proxy(P, "orders");
    expect(record?.mtls).toEqual(body);
    expect(record?.patchCount).toBe(1);
    expect(sim.state.totalPatches()).toBe(1);
  });

  it("changes only the fields given", async () => {
    await patchMtls(sim, P, "orders", { enabled: true, [KEY_STORE]: "ks-1", hostnameVerifierType: "STRICT" });
    await patchMtls(sim, P, "orders", { supportedProtocolList: ["TLS_1_3"] });
    expect(sim.state.proxy(P, "orders")?.mtls).toEqual({
      enabled: true,
      [KEY_STORE]: "ks-1",
      hostnameVerifierType: "STRICT",
      supportedProtocolList: ["TLS_1_3"],
    });
    expect(sim.state.proxy(P, "orders")?.patchCount).toBe(2);
  });

  it("refuses values outside the documented enums", async () => {
    await expect400({ supportedProtocolList: ["TLS_1_2", "TLS_9_9"] }, /supportedProtocolList/);
    await expect400({ supportedProtocolList: "TLS_1_2" }, /supportedProtocolList/);
    await expect400({ hostnameVerifierType: "strict" }, /hostnameVerifierType/);
    await expect400({ hostnameVerifierType: "ALLOW_ALL" }, /hostnameVerifierType/);
  });

  it("refuses wrong types, unknown fields and bodies that are not a JSON object", async () => {
    await expect400({ enabled: "true" }, /enabled/);
    await expect400({ [KEY_STORE]: 12 }, KEY_STORE);
    await expect400({ disableSslValidation: 1 }, /disableSslValidation/);
    await expect400({ deploy: "yes", deployTargetEnvironmentNameList: ["test"] }, /deploy/);
    await expect400(
      { deploy: true, deployTargetEnvironmentNameList: "test" },
      /deployTargetEnvironmentNameList/,
    );
    await expect400({ enable: true }, /Unknown field 'enable'/);
    await expect400("[1,2]", /JSON object/);
    await expect400("{not json", /Malformed JSON/);
    expect(sim.state.proxy(P, "orders")?.patchCount).toBe(0);
  });

  it("requires the generation's key store field when enabling, given or already stored", async () => {
    await expect400({ enabled: true }, "KeyStore ID is required when mTLS is enabled");
    await expect400({ enabled: true, [KEY_STORE]: "" }, "KeyStore ID is required when mTLS is enabled");
    expect((await patchMtls(sim, P, "orders", { enabled: true, [KEY_STORE]: "gateway-ks" })).status).toBe(
      200,
    );
    expect((await patchMtls(sim, P, "refunds", { [KEY_STORE]: "ks-2" })).status).toBe(200);
    expect((await patchMtls(sim, P, "refunds", { enabled: true })).status).toBe(200);
    expect(sim.state.proxy(P, "refunds")?.mtls).toMatchObject({ enabled: true, [KEY_STORE]: "ks-2" });
  });

  it("requires target environments when deploy is true", async () => {
    await expect400({ enabled: false, deploy: true }, /deployTargetEnvironmentNameList/);
    await expect400(
      { enabled: false, deploy: true, deployTargetEnvironmentNameList: [] },
      /deployTargetEnvironmentNameList/,
    );
    expect(sim.state.proxy(P, "orders")?.patchCount).toBe(0);
  });

  it("refuses mTLS settings on AI, MCP and A2A proxies", async () => {
    for (const proxy of ["llm", "mcp", "a2a"]) {
      await expect400({ enabled: false }, "mTLS settings are not supported for AI proxies", proxy);
    }
  });

  it("answers a permanent failure with its message", async () => {
    await expect400({ enabled: false }, "Proxy is locked by another user", "legacy");
    expect(sim.state.proxy(P, "legacy")).toMatchObject({ patchCount: 0, patchRequests: 1 });
  });

  it("answers a missing project or proxy with the generation's not-found error", async () => {
    const proxy = await patchMtls(sim, P, "ghost", { enabled: false });
    const project = await patchMtls(sim, "Nowhere", "orders", { enabled: false });
    for (const answer of [proxy, project]) expect(answer.status).toBe(flavour === "classic" ? 404 : 400);
    expect(messageOf(proxy.json)).toBe("ApiProxy (name: ghost) was not found!");
    if (flavour === "classic") expect(proxy.json.error).toBe("not_found");
    else expect(proxy.json.status).toBe("FAILURE");
  });

  it("refuses a body that is not declared as JSON (415)", async () => {
    const answer = await call(sim, "PATCH", proxyPath(P, "orders", "settings/mtls/"), {
      body: "{}",
      contentType: "text/plain",
    });
    expect(answer.status).toBe(415);
  });

  it("deploys after saving when asked, reporting each environment under HTTP 200", async () => {
    const answer = await patchMtls(sim, P, "flaky-deploy", {
      enabled: false,
      deploy: true,
      deployTargetEnvironmentNameList: ["test", "production", "staging"],
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      ...successBody,
      deploymentResult: {
        success: false,
        deploymentResults: [
          { environmentName: "test", success: true, message: expect.any(String) },
          { environmentName: "production", success: false, message: "Gateway pod timed out" },
          { environmentName: "staging", success: false, message: expect.stringMatching(/staging/) },
        ],
      },
    });
    const record = sim.state.proxy(P, "flaky-deploy");
    expect(record).toMatchObject({ patchCount: 1, deploys: ["test"] });
  });

  it("marks deployed environments as needing a redeploy after a save, until deployed", async () => {
    const read = async () => {
      const answer = await call(sim, "GET", proxyPath(P, "orders"));
      return (flavour === "classic" ? answer.json : answer.json.resultList[0]).deploymentList;
    };
    await patchMtls(sim, P, "orders", { hostnameVerifierType: "STRICT" });
    expect(await read()).toContainEqual({
      environmentName: "production",
      deployed: true,
      redeployRequired: true,
    });
    const deploy = await patchMtls(sim, P, "orders", {
      deploy: true,
      deployTargetEnvironmentNameList: ["production"],
    });
    expect(deploy.json.deploymentResult.success).toBe(true);
    expect(await read()).toContainEqual({
      environmentName: "production",
      deployed: true,
      redeployRequired: false,
    });
  });
});

describe.each<Flavour>(["classic", "newer"])("deploy endpoint (%s)", (flavour) => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await start(flavour);
    return () => sim.close();
  });
  const deployPath = (proxy: string, env: string) => proxyPath(P, proxy, `environments/${env}/`);

  it("deploys and records the environment", async () => {
    const answer = await call(sim, "POST", deployPath("refunds", "test"));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject(flavour === "classic" ? { success: true } : { status: "SUCCESS" });
    expect(answer.json.deploymentResult).toEqual({
      success: true,
      deploymentResults: [{ environmentName: "test", success: true, message: expect.any(String) }],
    });
    expect(sim.state.proxy(P, "refunds")?.deploys).toEqual(["test"]);
    expect(sim.state.requestCounts()).toEqual({ "POST deploy": 1 });
  });

  it("reports an injected deployment failure and an unknown environment under HTTP 200", async () => {
    for (const [proxy, env, message] of [
      ["flaky-deploy", "production", "Gateway pod timed out"],
      ["refunds", "staging", expect.stringMatching(/staging/)],
    ] as const) {
      const answer = await call(sim, "POST", deployPath(proxy, env));
      expect(answer.status).toBe(200);
      expect(answer.json.deploymentResult).toEqual({
        success: false,
        deploymentResults: [{ environmentName: env, success: false, message }],
      });
    }
    expect(sim.state.proxy(P, "flaky-deploy")?.deploys).toEqual([]);
  });

  it("answers a missing proxy with the generation's not-found error", async () => {
    const answer = await call(sim, "POST", deployPath("ghost", "test"));
    expect(answer.status).toBe(flavour === "classic" ? 404 : 400);
  });
});

describe("state records", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start("newer");
  });
  afterAll(() => sim.close());
  // Each test starts from the seeded fleet, in any order.
  beforeEach(() => sim.state.reset());

  it("reset() restores the fleet and the counters", async () => {
    const initial = sim.state.proxy(P, "orders");
    await patchMtls(sim, P, "orders", {
      enabled: true,
      keyStoreId: "k",
      deploy: true,
      deployTargetEnvironmentNameList: ["test"],
    });
    expect(sim.state.proxy(P, "orders")).toMatchObject({
      patchCount: 1,
      patchRequests: 1,
      deploys: ["test"],
    });
    sim.state.reset();
    expect(sim.state.proxy(P, "orders")).toEqual(initial);
    expect(initial).toMatchObject({
      project: P,
      name: "orders",
      type: "REST",
      mtls: { enabled: false, supportedProtocolList: [], hostnameVerifierType: "NOOP" },
      patchCount: 0,
      patchRequests: 0,
      deploys: [],
    });
    expect(sim.state.requestCounts()).toEqual({});
    expect(sim.state.totalPatches()).toBe(0);
  });

  it("hands out copies, so a held record does not change under the test", async () => {
    const held = sim.state.proxy(P, "orders");
    held?.deploys.push("mutated");
    await patchMtls(sim, P, "orders", { hostnameVerifierType: "DEFAULT" });
    expect(held?.mtls.hostnameVerifierType).toBe("NOOP");
    expect(sim.state.proxy(P, "orders")?.deploys).toEqual([]);
  });

  it("seeds initial settings from the fleet", async () => {
    const seeded = await startSimulator({
      fleet: [{ name: "p", proxies: [{ name: "drifted", mtls: { enabled: true, keyStoreId: "old" } }] }],
    });
    try {
      expect(seeded.state.proxy("p", "drifted")?.mtls).toMatchObject({ enabled: true, keyStoreId: "old" });
      expect(seeded.state.proxies()).toHaveLength(1);
    } finally {
      await seeded.close();
    }
  });
});
