import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LENIENT, detailPaths as paths, putPolicy, STRICT } from "./helpers/policies.js";
import { type Harness, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const MAX_VERSIONS = 3;
const MAX_POLICIES = 6;

describe("named policies: limits, If-Match and hostile requests", () => {
  let h: Harness;
  beforeAll(async () => {
    // Only the API: nothing here needs a worker.
    h = await startHarness(
      "policy-limits",
      { projects: 1, proxiesPerProject: 1 },
      {
        ENFORCER_MAX_POLICIES: String(MAX_POLICIES),
        ENFORCER_MAX_POLICY_VERSIONS: String(MAX_VERSIONS),
        ENFORCER_BODY_LIMIT: "64kb",
      },
      { mode: "api" },
    );
    // Request connections fail fast instead of queueing: wait until Redis is connected.
    await waitFor("the API to be ready", async () =>
      (await h.api("GET", "/readyz", undefined, { token: null })).status === 200 ? true : undefined,
    );
    // A policy with two versions for the reads below.
    await putPolicy(h, "payments-tls", { policy: LENIENT });
    await putPolicy(h, "payments-tls", { policy: STRICT });
  });
  afterAll(() => h?.stop());

  const put = (name: string, body: unknown, init?: Parameters<typeof putPolicy>[3]) =>
    putPolicy(h, name, body, init);

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
