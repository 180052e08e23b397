// Real answers of the named-policy, schedule, audit and gateway APIs, each checked against the
// zod contract its route declares (test/helpers/contract.ts), refusals included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_OPERATIONS, contractChecked } from "./helpers/contract.js";
import { LENIENT, STRICT } from "./helpers/policies.js";
import { AUDIT, sweepBody } from "./helpers/schedules.js";
import { type Harness, startHarness, TOKENS } from "./helpers/service.js";

// Steps of one story (the schedule uses the policy, the audit reads both, the last test counts
// the operations exercised): they keep their order when the suite is shuffled.
describe("the policy, schedule, audit and gateway APIs answer as their contracts say", {
  shuffle: false,
}, () => {
  let h: Harness;
  let checked: ReturnType<typeof contractChecked>;
  const api: Harness["api"] = (...args) => checked.api(...args);

  beforeAll(async () => {
    h = await startHarness("api-contract-admin", { projects: 1, proxiesPerProject: 2 });
    checked = contractChecked(h);
  });
  afterAll(() => h?.stop());

  it("named policies: versions, ETag and If-Match, reads and diffs", async () => {
    const first = await api("PUT", "/v1/policies/tls", { policy: LENIENT, description: "v1" });
    expect(first.status).toBe(201);
    expect(first.headers.get("etag")).toBe('"1"');
    const second = await api(
      "PUT",
      "/v1/policies/tls",
      { policy: STRICT },
      { headers: { "if-match": '"1"' } },
    );
    expect(second.body).toMatchObject({ version: 2, changed: true });
    expect((await api("PUT", "/v1/policies/tls", { policy: STRICT })).body.changed).toBe(false);
    const stale = await api("PUT", "/v1/policies/tls", { policy: LENIENT }, { headers: { "if-match": "1" } });
    expect(stale.status).toBe(409);
    expect((await api("PUT", "/v1/policies/tls", { policy: {} })).status).toBe(400);
    expect((await api("PUT", "/v1/policies/bad.name", { policy: LENIENT })).status).toBe(400);

    expect((await api("GET", "/v1/policies", undefined, { token: TOKENS.viewer })).body.items).toHaveLength(
      1,
    );
    const detail = await api("GET", "/v1/policies/tls");
    expect(detail.body.versions).toHaveLength(2);
    expect((await api("GET", "/v1/policies/tls/versions/1")).body.description).toBe("v1");
    expect((await api("GET", "/v1/policies/tls/versions/9")).status).toBe(404);
    const diff = await api("GET", "/v1/policies/tls/diff?from=1&to=2");
    expect(diff.body.changes).toEqual([{ path: "mtls.hostnameVerifierType", from: "DEFAULT", to: "STRICT" }]);
    expect((await api("GET", "/v1/policies/tls/diff?to=7")).status).toBe(400);
    expect((await api("GET", "/v1/policies/nope")).status).toBe(404);
    expect((await api("PUT", "/v1/policies/x", { policy: LENIENT }, { token: TOKENS.operator })).status).toBe(
      403,
    );
  });

  it("schedules: create, replace, list, read, run, refuse a referenced policy's deletion, delete", async () => {
    const sweep = sweepBody({ rollout: { policyRef: "tls", targets: { projects: ["*"] }, dryRun: true } });
    expect((await api("PUT", "/v1/schedules/nightly", sweep)).status).toBe(201);
    expect(
      (await api("PUT", "/v1/schedules/nightly", { ...sweep, timezone: "Europe/Istanbul" })).status,
    ).toBe(200);
    expect((await api("PUT", "/v1/schedules/nightly", { ...sweep, cron: "nope" })).status).toBe(400);
    expect((await api("GET", "/v1/schedules?limit=10")).body.items).toHaveLength(1);
    const run = await api("POST", "/v1/schedules/nightly/run");
    expect(run.status).toBe(202);
    await h.waitForStatus(run.body.id, ["succeeded"]);
    const read = await api("GET", "/v1/schedules/nightly");
    expect(read.body.runs[0]).toMatchObject({ rolloutId: run.body.id, status: "succeeded" });

    expect((await api("DELETE", "/v1/policies/tls")).status).toBe(409);
    expect((await api("GET", "/v1/schedules/nightly", undefined, { token: TOKENS.operator })).status).toBe(
      403,
    );
    expect((await api("DELETE", "/v1/schedules/nightly")).status).toBe(204);
    expect((await api("GET", "/v1/schedules/nightly")).status).toBe(404);
    expect((await api("POST", "/v1/schedules/nightly/run")).status).toBe(404);
    expect((await api("DELETE", "/v1/schedules/nightly")).status).toBe(404);
    expect((await api("PUT", "/v1/schedules/other", { ...sweep, rollout: AUDIT, extra: 1 })).status).toBe(
      400,
    );
    expect((await api("DELETE", "/v1/policies/tls")).status).toBe(204);
  });

  it("the audit trail and the gateways", async () => {
    const audit = await api("GET", "/v1/audit?limit=2");
    expect(audit.body.items).toHaveLength(2);
    const next = await api("GET", `/v1/audit?since=${audit.body.nextCursor}&limit=1000`);
    expect(next.body.items.some((e: { action: string }) => e.action === "policy.deleted")).toBe(true);
    expect((await api("GET", "/v1/audit?since=yesterday")).status).toBe(400);
    const gateways = await api("GET", "/v1/gateways", undefined, { token: TOKENS.viewer });
    expect(gateways.body.items).toEqual([{ name: "default", reachable: true, tokenValid: true }]);
    expect((await api("GET", "/v1/whoami", undefined, { token: TOKENS.viewer })).body).toEqual({
      name: "victor",
      role: "viewer",
    });
  });

  it("failed authentications: 401 with the challenge, then 429 with Retry-After", async () => {
    const refusals: number[] = [];
    let last: Awaited<ReturnType<Harness["api"]>> | undefined;
    for (let i = 0; i < 12; i++) {
      last = await api("GET", "/v1/gateways", undefined, { token: "not-a-token" });
      refusals.push(last.status);
    }
    expect(refusals).toContain(401);
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("exercised every operation this file is responsible for", () => {
    expect([...checked.succeeded].sort()).toEqual([...ADMIN_OPERATIONS].sort());
  });
});
