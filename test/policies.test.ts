import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keys } from "../src/store/keys.js";
import { LENIENT, detailPaths as paths, putPolicy, STRICT } from "./helpers/policies.js";
import { REDIS_URL } from "./helpers/redis.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

// Named policies end to end: versions and diffs, rollouts and sweeps that name them, deletion
// while referenced, audit. Limits and hostile requests: policy-limits.test.ts.
const TERMINAL = ["succeeded", "failed", "cancelled"];
const AUDIT_RUN = { targets: { projects: ["*"] }, dryRun: true };

// One lifecycle (apply, change, read, delete): each step builds on the one before, so the steps
// keep their order when the suite is shuffled.
describe("named, versioned policies", { shuffle: false }, () => {
  let h: Harness;
  let redis: Redis;

  beforeAll(async () => {
    h = await startHarness("policies", { projects: 1, proxiesPerProject: 2 });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  const put = (name: string, body: unknown) => putPolicy(h, name, body);

  it("stores versions: the first is 1, a change is the next, the same content adds none", async () => {
    const first = await put("payments-tls", { policy: LENIENT, description: "TLS 1.2+" });
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe("/v1/policies/payments-tls");
    expect(first.headers.get("etag")).toBe('"1"');
    expect(first.body).toMatchObject({
      name: "payments-tls",
      version: 1,
      policy: LENIENT,
      description: "TLS 1.2+",
      createdBy: "alice",
      createdAt: expect.any(String),
      changed: true,
    });

    const again = await put("payments-tls", { description: "TLS 1.2+", policy: LENIENT });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 1, changed: false, createdAt: first.body.createdAt });

    const second = await put("payments-tls", { policy: STRICT, description: "and STRICT hostnames" });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ version: 2, policy: STRICT, changed: true });

    const read = await h.api("GET", "/v1/policies/payments-tls", undefined, { token: TOKENS.viewer });
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"2"');
    expect(read.body).toMatchObject({ name: "payments-tls", version: 2, policy: STRICT });
    expect(read.body.versions).toEqual([
      { version: 1, createdBy: "alice", createdAt: first.body.createdAt, description: "TLS 1.2+" },
      {
        version: 2,
        createdBy: "alice",
        createdAt: second.body.createdAt,
        description: "and STRICT hostnames",
      },
    ]);
    const v1 = await h.api("GET", "/v1/policies/payments-tls/versions/1", undefined, {
      token: TOKENS.viewer,
    });
    expect(v1.body).toMatchObject({ version: 1, policy: LENIENT });

    const diff = await h.api("GET", "/v1/policies/payments-tls/diff", undefined, { token: TOKENS.viewer });
    expect(diff.body).toEqual({
      name: "payments-tls",
      from: 1,
      to: 2,
      changes: [{ path: "mtls.hostnameVerifierType", from: "DEFAULT", to: "STRICT" }],
    });
    const fromNothing = await h.api("GET", "/v1/policies/payments-tls/diff?from=0&to=1");
    expect(fromNothing.body.changes).toEqual([{ path: "mtls", from: null, to: LENIENT.mtls }]);

    const list = await h.api("GET", "/v1/policies", undefined, { token: TOKENS.viewer });
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ name: "payments-tls", version: 2, description: "and STRICT hostnames" }),
    );
  });

  it("a rollout with policyRef records the resolved policy and its version; name@1 pins", async () => {
    const latest = await h.api("POST", "/v1/rollouts", { policyRef: "payments-tls", ...AUDIT_RUN });
    expect(latest.status).toBe(202);
    expect(latest.body).toMatchObject({ policyRef: { name: "payments-tls", version: 2 }, policy: STRICT });
    const pinned = await h.api("POST", "/v1/rollouts", { policyRef: "payments-tls@1", ...AUDIT_RUN });
    expect(pinned.body).toMatchObject({ policyRef: { name: "payments-tls", version: 1 }, policy: LENIENT });
    const inline = await h.api("POST", "/v1/rollouts", { policy: POLICY, ...AUDIT_RUN });
    expect(inline.body.policyRef).toBeNull();

    // The dry run plans what the resolved version says.
    await h.waitForStatus(pinned.body.id, TERMINAL);
    const planned = await h.api("GET", `/v1/rollouts/${pinned.body.id}/targets?status=planned`);
    expect(JSON.stringify(planned.body.items[0].requests)).toContain('"DEFAULT"');
    const read = await h.api("GET", `/v1/rollouts/${pinned.body.id}`);
    expect(read.body.policyRef).toEqual({ name: "payments-tls", version: 1 });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["an unknown policy", { policyRef: "nope" }, "policyRef", /no policy named nope/],
    [
      "a version it does not have",
      { policyRef: "payments-tls@9" },
      "policyRef",
      /no version 9 .*latest is 2/,
    ],
    ["a malformed reference", { policyRef: "payments tls@x" }, "policyRef", /name@version/],
    ["both policy and policyRef", { policy: POLICY, policyRef: "payments-tls" }, "policyRef", /exactly one/],
    ["neither", {}, "policy", /exactly one/],
  ])("refuses %s with a 400 naming the field", async (_, over, path, message) => {
    const res = await h.api("POST", "/v1/rollouts", { ...AUDIT_RUN, ...over });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_failed");
    expect(res.body.details).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it("lints the stored version; strict refuses a rollout or sweep of a policy with findings", async () => {
    const weak = await put("weak", { policy: { mtls: { ...POLICY.mtls, hostnameVerifierType: "NOOP" } } });
    expect(weak.status).toBe(201);
    const finding = expect.objectContaining({
      code: "weak_hostname_verification",
      path: "policy.mtls.hostnameVerifierType",
    });
    expect(weak.body.warnings).toEqual([finding]);
    const rollout = await h.api("POST", "/v1/rollouts", { policyRef: "weak", strict: true, ...AUDIT_RUN });
    expect(rollout.status).toBe(400);
    expect(paths(rollout)).toEqual(["policy.mtls.hostnameVerifierType"]);
    const sweep = { cron: "0 3 * * *", rollout: { policyRef: "weak", strict: true, ...AUDIT_RUN } };
    const schedule = await h.api("PUT", "/v1/schedules/weak-sweep", sweep);
    expect(schedule.status).toBe(400);
    expect(paths(schedule)).toEqual(["rollout.policy.mtls.hostnameVerifierType"]);
    // Without strict the rollout goes ahead and carries the findings.
    const lenient = await h.api("POST", "/v1/rollouts", { policyRef: "weak", ...AUDIT_RUN });
    expect(lenient.body.warnings).toEqual([finding]);
    expect((await h.api("DELETE", "/v1/policies/weak")).status).toBe(204);
  });

  it("an Idempotency-Key replays the first rollout even after its policy changed", async () => {
    expect((await put("idem", { policy: LENIENT })).status).toBe(201);
    const body = { policyRef: "idem", ...AUDIT_RUN };
    const headers = { "idempotency-key": "CHG-42" };
    const first = await h.api("POST", "/v1/rollouts", body, { headers });
    expect(first.status).toBe(202);
    expect((await put("idem", { policy: STRICT })).body.version).toBe(2);
    const replay = await h.api("POST", "/v1/rollouts", body, { headers });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: first.body.id, policyRef: { name: "idem", version: 1 } });
    const other = await h.api("POST", "/v1/rollouts", { ...body, policyRef: "idem@2" }, { headers });
    expect(other.status).toBe(409);
  });

  it("a sweep resolves its policy at every firing: the latest version, or the pinned one", async () => {
    expect((await put("sweep-tls", { policy: LENIENT })).status).toBe(201);
    const sweep = (ref: string) => ({ cron: "0 3 * * *", rollout: { policyRef: ref, ...AUDIT_RUN } });
    const created = await h.api("PUT", "/v1/schedules/nightly-tls", sweep("sweep-tls"));
    expect(created.status).toBe(201);
    expect(created.body.rollout.policyRef).toBe("sweep-tls");
    expect((await h.api("PUT", "/v1/schedules/pinned-tls", sweep("sweep-tls@1"))).status).toBe(201);

    const run = async (name: string) => {
      const res = await h.api("POST", `/v1/schedules/${name}/run`);
      expect(res.status).toBe(202);
      return h.waitForStatus(res.body.id, TERMINAL);
    };
    expect(await run("nightly-tls")).toMatchObject({
      policyRef: { name: "sweep-tls", version: 1 },
      policy: LENIENT,
    });
    expect((await put("sweep-tls", { policy: STRICT })).body.version).toBe(2);
    expect(await run("nightly-tls")).toMatchObject({
      policyRef: { name: "sweep-tls", version: 2 },
      policy: STRICT,
    });
    expect(await run("pinned-tls")).toMatchObject({
      policyRef: { name: "sweep-tls", version: 1 },
      policy: LENIENT,
    });

    for (const [ref, message] of [
      ["missing", /no policy named missing/],
      ["sweep-tls@3", /no version 3 .*latest is 2/],
    ] as const) {
      const refused = await h.api("PUT", "/v1/schedules/broken", sweep(ref));
      expect(refused.status).toBe(400);
      expect(refused.body.details).toEqual([
        { path: "rollout.policyRef", message: expect.stringMatching(message) },
      ]);
    }
    expect((await h.api("GET", "/v1/schedules/broken")).status).toBe(404);
  });

  it("refuses to delete a policy while a schedule refers to it, and audits puts and deletes", async () => {
    const refused = await h.api("DELETE", "/v1/policies/sweep-tls");
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("nightly-tls, pinned-tls");
    // A schedule that stops referring to it frees it.
    const inline = { cron: "0 3 * * *", rollout: { policy: POLICY, ...AUDIT_RUN } };
    expect((await h.api("PUT", "/v1/schedules/pinned-tls", inline)).status).toBe(200);
    const still = await h.api("DELETE", "/v1/policies/sweep-tls");
    expect(still.status).toBe(409);
    expect(still.body.message).not.toContain("pinned-tls");
    expect((await h.api("DELETE", "/v1/schedules/nightly-tls")).status).toBe(204);

    expect(
      (await h.api("DELETE", "/v1/policies/sweep-tls", undefined, { token: TOKENS.operator })).status,
    ).toBe(403);
    expect((await h.api("DELETE", "/v1/policies/sweep-tls")).status).toBe(204);
    expect((await h.api("GET", "/v1/policies/sweep-tls")).status).toBe(404);
    expect((await h.api("DELETE", "/v1/policies/sweep-tls")).status).toBe(404);
    expect(await redis.keys(`${new Keys(h.prefix).policy("sweep-tls")}*`)).toEqual([]);
    expect((await h.api("DELETE", "/v1/schedules/pinned-tls")).status).toBe(204);

    const entries = await waitFor("the policy's audit entries", async () => {
      const { body } = await h.api("GET", "/v1/audit?limit=1000");
      const mine = body.items.filter((e: { policy?: string }) => e.policy === "sweep-tls");
      return mine.length >= 3 ? mine : undefined;
    });
    expect(entries.map((e: Record<string, unknown>) => [e.actor, e.action, e.version, e.detail])).toEqual([
      ["alice", "policy.put", 1, "created"],
      ["alice", "policy.put", 2, "changed"],
      ["alice", "policy.deleted", 2, undefined],
    ]);
  });
});
