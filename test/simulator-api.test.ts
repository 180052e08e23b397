// Listing, reading, auth and path handling of the simulator, in both documentation generations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/server.js";
import type { Flavour, RunningSimulator } from "../src/simulator/types.js";
import { call, proxyPath } from "./helpers/simulator-http.js";

const TOKEN = "devtoken";
const ODD_NAMES = ["Orders API", "Ünïcødé 服务", "a/b c", "100% + more?#&"];

describe.each<Flavour>(["classic", "newer"])("simulator API (%s)", (flavour) => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      flavour,
      token: TOKEN,
      projects: 2,
      proxiesPerProject: 3,
      aiEvery: 3,
      fleet: [
        {
          name: "My Project",
          environments: ["dev", "prod"],
          proxies: [
            ...ODD_NAMES.map((name) => ({ name })),
            { name: "Bot", type: "MCP", deployedTo: ["prod"] },
          ],
        },
      ],
    });
  });
  afterAll(() => sim.close());

  it("answers the healthcheck without a token, with or without the trailing slash", async () => {
    for (const path of ["/apiops/test/healthcheck", "/apiops/test/healthcheck/"]) {
      const answer = await call(sim, "GET", path);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe("OK");
    }
  });

  it("lists projects by name, in the list envelope", async () => {
    const answer = await call(sim, "GET", "/apiops/projects/", { token: TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(answer.json.status).toBe("SUCCESS");
    expect(answer.json.resultCount).toBe(3);
    expect(answer.json.resultList.map((p: { name: string }) => p.name)).toEqual([
      "My Project",
      "project-001",
      "project-002",
    ]);
    expect(answer.json.resultList[0]).toEqual({ name: "My Project", description: expect.any(String) });
  });

  it("lists a project's proxies unpaged, ordered by name, with name/description/type/relativePath", async () => {
    const answer = await call(sim, "GET", "/apiops/projects/project-002/apiProxies/", { token: TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.json.resultCount).toBe(3);
    expect(answer.json.resultList).toEqual([
      { name: "proxy-00004", description: expect.any(String), type: "REST", relativePath: "/proxy-00004" },
      { name: "proxy-00005", description: expect.any(String), type: "REST", relativePath: "/proxy-00005" },
      // aiEvery: 3 counts across the fleet: the 6th generated proxy is the second AI one.
      { name: "proxy-00006", description: expect.any(String), type: "AI", relativePath: "/proxy-00006" },
    ]);
  });

  it("returns one proxy with its deployment list, bare (classic) or in a result list (newer)", async () => {
    const answer = await call(sim, "GET", proxyPath("My Project", "Bot"), { token: TOKEN });
    expect(answer.status).toBe(200);
    const proxy = flavour === "classic" ? answer.json : answer.json.resultList[0];
    if (flavour === "newer") expect(answer.json.success).toBe(true);
    expect(proxy).toMatchObject({ name: "Bot", type: "MCP" });
    expect(proxy.deploymentList).toEqual([
      { environmentName: "dev", deployed: false, redeployRequired: false },
      { environmentName: "prod", deployed: true, redeployRequired: false },
    ]);
  });

  it("returns the full proxy with its current mTLS settings, with or without the trailing slash", async () => {
    for (const suffix of ["full", "full/"]) {
      const answer = await call(sim, "GET", proxyPath("project-001", "proxy-00001", suffix), {
        token: TOKEN,
      });
      expect(answer.status).toBe(200);
      const proxy = flavour === "classic" ? answer.json : answer.json.resultList[0];
      expect(proxy.routing.mtls).toEqual({
        enabled: false,
        supportedProtocolList: [],
        hostnameVerifierType: "NOOP",
      });
    }
  });

  it("round-trips names with spaces, unicode, reserved characters and an encoded slash", async () => {
    const listed = await call(
      sim,
      "GET",
      `/apiops/projects/${encodeURIComponent("My Project")}/apiProxies/`,
      {
        token: TOKEN,
      },
    );
    const names = listed.json.resultList.map((p: { name: string }) => p.name);
    expect([...names].sort()).toEqual([...ODD_NAMES, "Bot"].sort());
    for (const name of ODD_NAMES) {
      const answer = await call(sim, "GET", proxyPath("My Project", name), { token: TOKEN });
      expect(answer.status, name).toBe(200);
      expect((flavour === "classic" ? answer.json : answer.json.resultList[0]).name).toBe(name);
    }
  });

  it("treats names case-sensitively", async () => {
    const answer = await call(sim, "GET", proxyPath("my project", "Bot"), { token: TOKEN });
    expect(answer.status).toBe(flavour === "classic" ? 404 : 400);
  });

  it("answers a missing project or proxy with the generation's not-found error", async () => {
    const proxy = await call(sim, "GET", proxyPath("project-001", "Nope"), { token: TOKEN });
    const project = await call(sim, "GET", "/apiops/projects/Ghost/apiProxies/", { token: TOKEN });
    if (flavour === "classic") {
      expect(proxy.status).toBe(404);
      expect(proxy.json).toEqual({
        error: "not_found",
        error_description: "ApiProxy (name: Nope) was not found!",
      });
      expect(project.status).toBe(404);
      expect(project.json.error).toBe("not_found");
    } else {
      expect(proxy.status).toBe(400);
      expect(proxy.json).toEqual({
        status: "FAILURE",
        resultMessage: "ApiProxy (name: Nope) was not found!",
      });
      expect(project.status).toBe(400);
      expect(project.json).toEqual({
        status: "FAILURE",
        resultMessage: "Project (name: Ghost) was not found!",
      });
    }
  });

  it("answers 404 for every path without its trailing slash", async () => {
    const paths = [
      "/apiops/projects",
      "/apiops/projects/project-001/apiProxies",
      "/apiops/projects/project-001/apiProxies/proxy-00001",
    ];
    for (const path of paths) {
      expect((await call(sim, "GET", path, { token: TOKEN })).status, path).toBe(404);
    }
    const patch = await call(sim, "PATCH", proxyPath("project-001", "proxy-00001", "settings/mtls"), {
      token: TOKEN,
      body: { enabled: false },
    });
    expect(patch.status).toBe(404);
    const deploy = await call(sim, "POST", proxyPath("project-001", "proxy-00001", "environments/test"), {
      token: TOKEN,
    });
    expect(deploy.status).toBe(404);
  });

  it("refuses a missing or wrong token with the generation's 401", async () => {
    for (const token of [undefined, "wrong"]) {
      const answer = await call(sim, "GET", "/apiops/projects/", { token });
      expect(answer.status).toBe(401);
      expect(answer.headers.get("content-type")).toBe("application/json;charset=UTF-8");
      expect(answer.json).toEqual(
        flavour === "classic"
          ? { error: "unauthorized_client", error_description: "Token is not valid!" }
          : { status: "FAILURE", resultMessage: "Token is not valid!" },
      );
    }
    const patch = await call(sim, "PATCH", proxyPath("project-001", "proxy-00001", "settings/mtls/"), {
      token: "wrong",
      body: { enabled: false },
    });
    expect(patch.status).toBe(401);
    expect(sim.state.proxy("project-001", "proxy-00001")?.patchCount).toBe(0);
  });

  it("answers 405 for a served path with another method", async () => {
    const answer = await call(sim, "DELETE", "/apiops/projects/", { token: TOKEN });
    expect(answer.status).toBe(405);
  });
});

describe("simulator runtime changes", () => {
  it("update() changes the token while running; reset() restores the start settings", async () => {
    const sim = await startSimulator({ token: "first" });
    try {
      expect((await call(sim, "GET", "/apiops/projects/", { token: "first" })).status).toBe(200);
      sim.state.update({ token: "second" });
      expect((await call(sim, "GET", "/apiops/projects/", { token: "first" })).status).toBe(401);
      expect((await call(sim, "GET", "/apiops/projects/", { token: "second" })).status).toBe(200);
      sim.state.update({ token: undefined });
      expect((await call(sim, "GET", "/apiops/projects/")).status).toBe(200);
      sim.state.reset();
      expect((await call(sim, "GET", "/apiops/projects/", { token: "second" })).status).toBe(401);
    } finally {
      await sim.close();
    }
  });

  it("refuses invalid options before listening", async () => {
    await expect(startSimulator({ faults: { rate503: 0.7, rate429: 0.5 } })).rejects.toThrow(/add up/);
    await expect(
      startSimulator({ fleet: [{ name: "p", proxies: [{ name: "a" }, { name: "a" }] }] }),
    ).rejects.toThrow(/duplicate proxy/);
    await expect(startSimulator({ permanentFailures: [{ project: "x", proxy: "y" }] })).rejects.toThrow(
      /not in the fleet/,
    );
    await expect(startSimulator({ latencyMs: [50, 10] })).rejects.toThrow(/latency/);
  });
});
