import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";

const WEAK = {
  mtls: { ...POLICY.mtls, supportedProtocolList: ["TLS_1_2", "TLS_1_0"], hostnameVerifierType: "NOOP" },
};
const body = (policy: unknown, extra: Record<string, unknown> = {}) => ({
  policy,
  targets: { projects: ["project-001"] },
  dryRun: true,
  ...extra,
});

describe("policy lint at intake", () => {
  let h: Harness;
  let strictService: Harness;
  beforeAll(async () => {
    [h, strictService] = await Promise.all([
      startHarness("lint", { projects: 1, proxiesPerProject: 2 }),
      startHarness("lint-strict", { projects: 1, proxiesPerProject: 2 }, { ENFORCER_POLICY_STRICT: "true" }),
    ]);
  });
  afterAll(() => Promise.all([h?.stop(), strictService?.stop()]));

  it("answers a weak policy's findings as warnings, in the create answer and the rollout view", async () => {
    const created = await h.api("POST", "/v1/rollouts", body(WEAK));
    expect(created.status).toBe(202);
    const expected = [
      expect.objectContaining({ code: "weak_protocol", path: "policy.mtls.supportedProtocolList" }),
      expect.objectContaining({
        code: "weak_hostname_verification",
        path: "policy.mtls.hostnameVerifierType",
      }),
    ];
    expect(created.body.warnings).toEqual(expected);
    expect((await h.api("GET", `/v1/rollouts/${created.body.id}`)).body.warnings).toEqual(expected);
    expect((await h.api("POST", "/v1/rollouts", body(POLICY))).body.warnings).toEqual([]);
  });

  it("a strict body with warnings is a 400 naming each field, and creates nothing", async () => {
    const before = (await h.api("GET", "/v1/rollouts")).body.items.length;
    const refused = await h.api("POST", "/v1/rollouts", body(WEAK, { strict: true }));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("validation_failed");
    expect(refused.body.details.map((d: { path: string }) => d.path)).toEqual([
      "policy.mtls.supportedProtocolList",
      "policy.mtls.hostnameVerifierType",
    ]);
    expect((await h.api("GET", "/v1/rollouts")).body.items.length).toBe(before);
    expect((await h.api("POST", "/v1/rollouts", body(POLICY, { strict: true }))).status).toBe(202);
  });

  it("ENFORCER_POLICY_STRICT refuses warnings unless the body says strict: false", async () => {
    const refused = await strictService.api("POST", "/v1/rollouts", body(WEAK));
    expect(refused.status).toBe(400);
    expect((await strictService.api("POST", "/v1/rollouts", body(WEAK, { strict: false }))).status).toBe(202);
  });

  it("a sweep whose policy is refused under strict is refused when it is scheduled", async () => {
    const refused = await h.api("PUT", "/v1/schedules/weak-sweep", {
      cron: "0 3 * * *",
      rollout: body(WEAK, { strict: true }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].path).toBe("rollout.policy.mtls.supportedProtocolList");
    expect((await h.api("GET", "/v1/schedules/weak-sweep")).status).toBe(404);
  });
});
