// PATCH .../settings/<section>/ for every section: merging and /full, field checks, AI-type rules,
// each generation's body shape and store spelling, deploy, failure injections and seeds.
import { beforeEach, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/server.js";
import type { Flavour, RunningSimulator, SeedProxy, SimulatorOptions } from "../src/simulator/types.js";
import { type Answer, call, proxyPath, sectionPath } from "./helpers/simulator-http.js";
import { CASES, KEYS, sectionClient } from "./helpers/simulator-sections.js";

const P = "Shop";

const OPTIONS: SimulatorOptions = {
  projects: 0,
  fleet: [
    {
      name: P,
      proxies: [
        { name: "orders", deployedTo: ["production"] },
        { name: "llm", type: "AI" },
        { name: "mcp", type: "MCP" },
        { name: "a2a", type: "A2A" },
        { name: "cors-locked" },
        { name: "frozen" },
      ],
    },
  ],
  permanentFailures: [
    { project: P, proxy: "cors-locked", section: "cors", message: "CORS is managed centrally" },
  ],
  lostWrites: [{ project: P, proxy: "frozen" }],
};

function setup(flavour: Flavour) {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ ...OPTIONS, flavour });
    return () => sim.close();
  });
  const client = sectionClient(() => sim, flavour, P);
  const expect400 = (answer: Answer, message: string | RegExp) => {
    expect(answer.status, answer.text).toBe(400);
    expect(client.messageOf(answer)).toMatch(message);
  };
  return { sim: () => sim, ...client, expect400 };
}

describe.each<Flavour>(["classic", "newer"])("settings sections (%s)", (flavour) => {
  const { sim, patch, routing, successBody, expect400 } = setup(flavour);

  it.each(KEYS)("%s: saves the fields given onto the defaults, and /full shows them", async (key) => {
    const { valid, update } = CASES[key] ?? {};
    const before = (await routing())[key];
    expect(before).toBeDefined();
    const answer = await patch(key, valid ?? {});
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual(successBody);
    expect((await patch(key, update ?? {})).status).toBe(200);
    const expected = { ...before, ...valid, ...update };
    const record = sim().state.proxy(P, "orders");
    expect(record?.settings[key as keyof typeof record.settings]).toEqual(expected);
    expect((await routing())[key]).toEqual(expected);
    expect(record?.patchCounts).toMatchObject({ [key]: 2, mtls: 0 });
    expect(record?.patchCount).toBe(0);
    expect(sim().state.totalPatches()).toBe(2);
    expect(sim().state.requestCounts()[`PATCH ${key}`]).toBe(2);
  });

  it.each(KEYS)(
    "%s: refuses unknown fields, wrong types and values outside enums, naming the field",
    async (key) => {
      const { wrongType, badEnum } = CASES[key] ?? {};
      expect400(
        await patch(key, { bogusField: true }),
        /Unknown field '(corsSettings\.|forwardedIpHeaderParam\.)?bogusField'/,
      );
      if (wrongType) expect400(await patch(key, { [wrongType[0]]: wrongType[1] }), wrongType[0]);
      if (badEnum) expect400(await patch(key, { [badEnum[0]]: badEnum[1] }), badEnum[0]);
      expect(sim().state.proxy(P, "orders")?.patchCounts).toMatchObject({ [key]: 0 });
    },
  );

  it.each(KEYS)("%s: null counts as absent", async (key) => {
    const valid = CASES[key]?.valid ?? {};
    await patch(key, valid);
    const [field] = Object.keys(valid);
    expect((await patch(key, { [field ?? ""]: null })).status).toBe(200);
    expect((await routing())[key]).toMatchObject(valid);
  });

  it("refuses mTLS and connection settings on AI, MCP and A2A proxies; the other sections apply", async () => {
    for (const proxy of ["llm", "mcp", "a2a"]) {
      const mtls = await call(sim(), "PATCH", sectionPath(P, proxy, "mtls"), { body: { enabled: false } });
      expect400(mtls, "mTLS settings are not supported for AI proxies");
      for (const key of KEYS) {
        const { valid, aiRefusal } = CASES[key] ?? {};
        const answer = await patch(key, valid ?? {}, proxy);
        if (aiRefusal) expect400(answer, aiRefusal);
        else expect(answer.status, `${proxy} ${key}`).toBe(200);
      }
    }
  });

  it("deploys after saving any section when asked, and a save alone needs a redeploy", async () => {
    const deploy = { deploy: true, deployTargetEnvironmentNameList: ["production"] };
    const answer = await patch("circuitBreaker", { circuitBreakerEnabled: true }, "orders", deploy);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      ...successBody,
      deploymentResult: {
        success: true,
        deploymentResults: [{ environmentName: "production", success: true, message: expect.any(String) }],
      },
    });
    expect(sim().state.proxy(P, "orders")?.deploys).toEqual(["production"]);
    expect400(
      await patch("cors", { corsActive: true }, "orders", { deploy: true }),
      /deployTargetEnvironmentNameList/,
    );
    expect((await patch("forwardedIpHeader", { value: "X-Client-IP" })).status).toBe(200);
    const detail = await call(sim(), "GET", proxyPath(P, "orders"));
    const proxy = flavour === "classic" ? detail.json : detail.json.resultList[0];
    expect(proxy.deploymentList).toContainEqual({
      environmentName: "production",
      deployed: true,
      redeployRequired: true,
    });
  });

  it("a permanent failure naming a section refuses only that one; lost writes change nothing", async () => {
    expect400(await patch("cors", { corsActive: true }, "cors-locked"), "CORS is managed centrally");
    expect((await patch("forwardedIpHeader", { value: "X-Real-IP" }, "cors-locked")).status).toBe(200);
    const before = await routing("frozen");
    expect((await patch("circuitBreaker", { circuitBreakerEnabled: true }, "frozen")).status).toBe(200);
    expect(await routing("frozen")).toEqual(before);
    expect(sim().state.proxy(P, "frozen")?.patchCounts.circuitBreaker).toBe(1);
  });

  it("replaces the traffic-log list whole and checks its items field by field", async () => {
    const list = (items: unknown[]) => ({ apiProxyTrafficLogSettingsList: items });
    await patch("trafficLog", list([{ environmentName: "production", logBodyResponseToClient: true }]));
    const next = [
      { environmentName: "test" },
      { environmentName: "production", enableSyslogConnector: true },
    ];
    expect((await patch("trafficLog", list(next))).status).toBe(200);
    expect((await routing()).trafficLog?.apiProxyTrafficLogSettingsList).toEqual(next);
    const bad = [{ environmentName: "test" }, { environmentName: "production", logToDisk: true }];
    expect400(
      await patch("trafficLog", list(bad)),
      "Unknown field 'apiProxyTrafficLogSettingsList[1].logToDisk'",
    );
    expect400(
      await patch("trafficLog", list([{ enableKafkaConnector: "yes" }])),
      "apiProxyTrafficLogSettingsList[0].enableKafkaConnector",
    );
    expect400(await patch("trafficLog", list(["production"])), "apiProxyTrafficLogSettingsList[0]");
  });
});

describe("what differs between generations", () => {
  const newer = setup("newer");
  const classic = setup("classic");

  it("newer wraps the CORS fields in corsSettings, deploy fields beside it; the stored shape is plain", async () => {
    const path = sectionPath(P, "orders", "cors");
    newer.expect400(await call(newer.sim(), "PATCH", path, { body: { corsActive: true } }), "corsActive");
    newer.expect400(
      await call(newer.sim(), "PATCH", path, {
        body: { deploy: true, deployTargetEnvironmentNameList: ["test"] },
      }),
      "corsSettings",
    );
    const body = {
      corsSettings: { corsActive: true },
      deploy: true,
      deployTargetEnvironmentNameList: ["test"],
    };
    const answer = await call(newer.sim(), "PATCH", path, { body });
    expect(answer.json.deploymentResult.success).toBe(true);
    expect((await newer.routing()).cors).toMatchObject({ corsActive: true });
    expect(newer.sim().state.proxy(P, "orders")?.settings.cors).not.toHaveProperty("corsSettings");
  });

  it("classic takes the CORS fields flat and refuses the wrapper", async () => {
    const path = sectionPath(P, "orders", "cors");
    classic.expect400(
      await call(classic.sim(), "PATCH", path, { body: { corsSettings: { corsActive: true } } }),
      "Unknown field 'corsSettings'",
    );
    expect((await call(classic.sim(), "PATCH", path, { body: { corsActive: true } })).status).toBe(200);
  });

  it("each refuses the other's spelling of the mTLS stores and requires its own when enabling", async () => {
    const mtls = (sim: RunningSimulator, body: unknown) =>
      call(sim, "PATCH", sectionPath(P, "orders", "mtls"), { body });
    for (const field of ["keyStoreId", "trustStoreId", "disableSslValidation"]) {
      const value = field === "disableSslValidation" ? true : "ks-1";
      classic.expect400(await mtls(classic.sim(), { [field]: value }), `Unknown field '${field}'`);
    }
    for (const field of ["keyStoreName", "trustStoreName"]) {
      newer.expect400(await mtls(newer.sim(), { [field]: "ks-1" }), `Unknown field '${field}'`);
    }
    const required = "KeyStore ID is required when mTLS is enabled";
    classic.expect400(await mtls(classic.sim(), { enabled: true }), required);
    newer.expect400(await mtls(newer.sim(), { enabled: true }), required);
    expect((await mtls(classic.sim(), { enabled: true, keyStoreName: "gateway-ks" })).status).toBe(200);
    expect(
      (await mtls(newer.sim(), { enabled: true, keyStoreId: "ks-1", disableSslValidation: false })).status,
    ).toBe(200);
    expect((await classic.routing()).mtls).toMatchObject({ enabled: true, keyStoreName: "gateway-ks" });
    expect((await newer.routing()).mtls).toMatchObject({ enabled: true, keyStoreId: "ks-1" });
  });
});

describe("seeds, reset and faults", () => {
  // Typed loosely: some seeds here are wrong on purpose.
  const seeded = (settings: object, mtls?: object) =>
    startSimulator({ fleet: [{ name: "p", proxies: [{ name: "a", settings, mtls } as SeedProxy] }] });

  it("starts each section from its seed over the defaults, and reset() goes back to it", async () => {
    const sim = await seeded(
      { cors: { corsActive: true, allowOriginList: ["*"] }, connection: { readTimeout: 5 } },
      { keyStoreId: "old-ks" },
    );
    try {
      const record = sim.state.proxy("p", "a");
      expect(record?.settings.cors).toMatchObject({ corsActive: true, allowOriginList: ["*"], maxAge: 3600 });
      expect(record?.settings.connection).toMatchObject({ readTimeout: 5, connectionSettingsEnabled: false });
      expect(record?.mtls).toMatchObject({ enabled: false, keyStoreId: "old-ks" });
      expect(record?.settings.forwardedIpHeader).toEqual({
        forwardedIpHeaderParamActive: false,
        value: "X-Forwarded-For",
        xffOrder: "FIRST",
      });
      await call(sim, "PATCH", sectionPath("p", "a", "cors"), {
        body: { corsSettings: { corsActive: false } },
      });
      expect(sim.state.proxy("p", "a")?.settings.cors.corsActive).toBe(false);
      sim.state.reset();
      expect(sim.state.proxy("p", "a")).toEqual(record);
    } finally {
      await sim.close();
    }
  });

  it("refuses seeds and failure injections a section does not have", async () => {
    await expect(seeded({ cors: { maxAge: "long" } })).rejects.toThrow(/p\/a: settings\.cors: .*maxAge/);
    await expect(seeded({ ntlm: {} })).rejects.toThrow(/unknown section ntlm/);
    await expect(seeded({}, { keyStore: "x" })).rejects.toThrow(/Unknown field 'keyStore'/);
    const failure = { project: "p", proxy: "a", section: "cache" } as never;
    await expect(
      startSimulator({ fleet: [{ name: "p", proxies: [{ name: "a" }] }], permanentFailures: [failure] }),
    ).rejects.toThrow(/unknown section cache/);
  });

  it("injects faults into every section's PATCH", async () => {
    const sim = await startSimulator({ projects: 1, proxiesPerProject: 1, faults: { rate503: 1 } });
    try {
      for (const key of KEYS) {
        const path = sectionPath("project-001", "proxy-00001", CASES[key]?.segment ?? "");
        expect((await call(sim, "PATCH", path, { body: {} })).status, key).toBe(503);
      }
      expect(sim.state.totalPatches()).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
