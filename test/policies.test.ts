import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL } from "./helpers/redis.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const TERMINAL = ["succeeded", "failed", "cancelled"];
const MAX_VERSIONS = 3;
const MAX_POLICIES = 8;
const LENIENT = { mtls: { ...POLICY.mtls, hostnameVerifierType: "DEFAULT" } };
const STRICT = { mtls: { ...POLICY.mtls, hostnameVerifierType: "STRICT" } };
const AUDIT_RUN = { targets: { projects: ["*"] }, dryRun: true };

describe("named, versioned policies", () => {
  let h: Harness;
  let redis: Redis;

  beforeAll(async () => {
    h = await startHarness(
      "policies",
      { projects: 1, proxiesPerProject: 2 },
      {
        ENFORCER_MAX_POLICIES: String(MAX_POLICIES),
        ENFORCER_MAX_POLICY_VERSIONS: String(MAX_VERSIONS),
        ENFORCER_BODY_LIMIT: "64kb",
      },
    );
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  const put = (
    name: string,
    body: unknown,
    init?: { token?: string | null; headers?: Record<string, string> },
  ) => h.api("PUT", `/v1/policies/${name}`, body, init);
  const paths = (res: { body: { details?: Array<{ path: string }> } }) =>
    (res.body.details ?? []).map((d) => d.path);

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

  it("If-Match refuses a write based on a version that is no longer the latest", async () => {
    expect((await put("guarded", { policy: LENIENT })).status).toBe(201);
    const stale = await put("guarded", { policy: STRICT }, { headers: { "if-match": '"0"' } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/at version 1, not 0/);
    const fresh = await put("guarded", { policy: STRICT }, { headers: { "if-match": '"1"' } });
    expect(fresh.body).toMatchObject({ version: 2, changed: true });
    const bad = await put("guarded", { policy: STRICT }, { headers: { "if-match": "latest" } });
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(["If-Match"]);
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
    expect(await redis.keys(`${h.prefix}:policy:sweep-tls*`)).toEqual([]);
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

  it("keeps at most ENFORCER_MAX_POLICY_VERSIONS versions of a policy", async () => {
    for (let n = 1; n <= MAX_VERSIONS; n++) {
      const res = await put("busy", { policy: LENIENT, description: `change ${n}` });
      expect(res.body.version).toBe(n);
    }
    const full = await put("busy", { policy: LENIENT, description: "one more" });
    expect(full.status).toBe(409);
    expect(full.body.message).toMatch(/ENFORCER_MAX_POLICY_VERSIONS.*delete it and create it again/);
    // The latest content again is no new version, so it is still answered.
    expect((await put("busy", { policy: LENIENT, description: `change ${MAX_VERSIONS}` })).status).toBe(200);
    expect((await h.api("DELETE", "/v1/policies/busy")).status).toBe(204);
    expect((await put("busy", { policy: LENIENT })).status).toBe(201);
  });

  it("keeps at most ENFORCER_MAX_POLICIES policies, and pages them in name order", async () => {
    const names = async (): Promise<string[]> =>
      (await h.api("GET", "/v1/policies?limit=1000")).body.items.map((p: { name: string }) => p.name);
    const existing = await names();
    const added = Array.from({ length: MAX_POLICIES - existing.length }, (_, i) => `filler-${i}`);
    for (const name of added) expect((await put(name, { policy: LENIENT })).status).toBe(201);
    const full = await put("one-too-many", { policy: LENIENT });
    expect(full.status).toBe(409);
    expect(full.body.message).toContain("ENFORCER_MAX_POLICIES");
    // A new version of a policy is not a new policy.
    expect((await put(existing[0] ?? "", { policy: { mtls: { enabled: false } } })).status).toBe(200);

    const all = await names();
    expect(all).toEqual([...all].sort());
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "" : `&cursor=${cursor}`;
      const page = (await h.api("GET", `/v1/policies?limit=3${query}`)).body;
      paged.push(...page.items.map((p: { name: string }) => p.name));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all);
    for (const name of added) expect((await h.api("DELETE", `/v1/policies/${name}`)).status).toBe(204);
  });

  describe("refuses hostile or wrong requests with a 4xx naming the field", () => {
    it("callers below admin cannot write; viewers can read", async () => {
      for (const token of [TOKENS.viewer, TOKENS.operator]) {
        const res = await put("payments-tls", { policy: LENIENT }, { token });
        expect(res.status).toBe(403);
        expect(res.body.error).toBe("forbidden");
      }
      expect((await put("payments-tls", { policy: LENIENT }, { token: null })).status).toBe(401);
      expect((await h.api("GET", "/v1/policies", undefined, { token: TOKENS.viewer })).status).toBe(200);
    });

    it.each([
      ["a dot", "bad.name"],
      ["a colon", "a%3Aversions"],
      ["65 characters", "x".repeat(65)],
    ])("a name with %s", async (_, name) => {
      const res = await put(name, { policy: LENIENT });
      expect(res.status).toBe(400);
      expect(paths(res)).toEqual(["name"]);
    });

    it.each<[string, unknown, string]>([
      ["no policy", { description: "x" }, "policy"],
      [
        "an invalid setting",
        { policy: { mtls: { hostnameVerifierType: "LOOSE" } } },
        "policy.mtls.hostnameVerifierType",
      ],
      ["an unknown section", { policy: { ...LENIENT, cors: {} } }, "policy.cors"],
      ["an unknown field", { policy: LENIENT, owner: "me" }, "owner"],
      ["a long description", { policy: LENIENT, description: "d".repeat(2001) }, "description"],
    ])("a body with %s", async (_, body, path) => {
      const res = await put("payments-tls", body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("validation_failed");
      expect(paths(res)).toContain(path);
    });

    it("a body over ENFORCER_BODY_LIMIT", async () => {
      const huge = { policy: { mtls: { ...LENIENT.mtls, keyStoreId: "k".repeat(100_000) } } };
      const res = await put("payments-tls", huge);
      expect(res.status).toBe(413);
      expect(res.body.error).toBe("payload_too_large");
    });

    it("versions and diffs that do not exist", async () => {
      const word = await h.api("GET", "/v1/policies/payments-tls/versions/latest");
      expect(word.status).toBe(400);
      expect(paths(word)).toEqual(["version"]);
      expect((await h.api("GET", "/v1/policies/payments-tls/versions/9")).status).toBe(404);
      expect((await h.api("GET", "/v1/policies/nope/versions/1")).status).toBe(404);
      const diff = await h.api("GET", "/v1/policies/payments-tls/diff?to=9");
      expect(diff.status).toBe(400);
      expect(paths(diff)).toEqual(["query.to"]);
      expect(paths(await h.api("GET", "/v1/policies/payments-tls/diff?from=1e3"))).toEqual(["query.from"]);
      expect((await h.api("GET", "/v1/policies/nope/diff")).status).toBe(404);
    });
  });
});
