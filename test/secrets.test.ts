import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpPrefix } from "./helpers/redis.js";
import { GATEWAY_TOKEN, type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

describe("the gateway token never leaves the process", () => {
  let h: Harness;
  const responses: string[] = [];
  beforeAll(async () => {
    h = await startHarness("secrets", {
      projects: 1,
      proxiesPerProject: 20,
      seed: 3,
      faults: { rate503: 0.2, rateReset: 0.1, appliesTo: "writes" },
      permanentFailures: [{ project: "project-001", proxy: "proxy-00002", message: "refused" }],
    });
  });
  afterAll(() => h?.stop());

  const record = async (...args: Parameters<Harness["api"]>) => {
    const res = await h.api(...args);
    responses.push(JSON.stringify(res.body), JSON.stringify([...res.headers]));
    return res;
  };

  it("is in no log line, Redis value, response or metric, even through failures and a 401", async () => {
    const created = await record("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
      strategy: { maxErrors: 5 },
    });
    await h.waitForStatus(created.body.id, ["failed", "succeeded"], 30_000);
    h.sim.state.update({ token: "revoked" });
    const second = await record("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
    });
    await h.waitForStatus(second.body.id, ["failed", "paused"]);

    for (const id of [created.body.id, second.body.id]) {
      await record("GET", `/v1/rollouts/${id}`);
      await record("GET", `/v1/rollouts/${id}/targets?limit=1000`);
    }
    await record("GET", "/v1/rollouts");
    await record("GET", "/metrics");
    await record("GET", "/v1/nothing");

    const everything = [h.logs.join(""), await dumpPrefix(h.prefix), responses.join("\n")];
    expect(everything[0]?.length).toBeGreaterThan(0);
    expect(everything[1]).toContain("project-001");
    for (const text of everything) {
      expect(text).not.toContain(GATEWAY_TOKEN);
      for (const callerSecret of Object.values(TOKENS)) expect(text).not.toContain(callerSecret);
    }
  });
});
