import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

const VALID = { policy: POLICY, targets: { projects: ["project-001"] } };
const withMtls = (mtls: Record<string, unknown>) => ({
  ...VALID,
  policy: { mtls: { ...POLICY.mtls, ...mtls } },
});
const withStrategy = (strategy: Record<string, unknown>) => ({ ...VALID, strategy });

/** Text that is not well-formed UTF-16: it can be neither put in a URL nor stored by Redis's cjson. */
const LONE = "orders-\uD800";
const LONE_SURROGATES: Array<[string, unknown, string]> = [
  ["the gateway", { ...VALID, gateway: LONE }, "gateway"],
  ["a project", { ...VALID, targets: { projects: ["ok", LONE] } }, "targets.projects.1"],
  ["a proxy", { ...VALID, targets: { ...VALID.targets, proxies: [LONE] } }, "targets.proxies.0"],
  [
    "an include glob",
    { ...VALID, targets: { ...VALID.targets, include: ["*\uDC00*"] } },
    "targets.include.0",
  ],
  ["an exclude glob", { ...VALID, targets: { ...VALID.targets, exclude: [LONE] } }, "targets.exclude.0"],
  ["keyStoreId", withMtls({ keyStoreId: LONE }), "policy.mtls.keyStoreId"],
  ["trustStoreName", withMtls({ trustStoreName: LONE }), "policy.mtls.trustStoreName"],
  ["a deploy environment", { ...VALID, deploy: { environments: [LONE] } }, "deploy.environments.0"],
  ["the description", { ...VALID, description: `CHG-1 ${LONE}` }, "description"],
];

interface Case {
  name: string;
  method?: string;
  path?: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
  status: number;
  error: string;
  /** the field a `details` entry must name */
  field?: string;
}

const CASES: Case[] = [
  { name: "malformed JSON", body: '{"policy": ', status: 400, error: "validation_failed", field: "(body)" },
  { name: "JSON null", body: "null", status: 400, error: "validation_failed" },
  { name: "an array body", body: [], status: 400, error: "validation_failed" },
  {
    name: "wrong content type",
    body: "policy=x",
    headers: { "content-type": "text/plain" },
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "body over the limit",
    body: { ...VALID, description: "x".repeat(70_000) },
    status: 413,
    error: "payload_too_large",
  },
  {
    name: "missing policy",
    body: { targets: VALID.targets },
    status: 400,
    error: "validation_failed",
    field: "policy",
  },
  {
    name: "missing targets",
    body: { policy: POLICY },
    status: 400,
    error: "validation_failed",
    field: "targets",
  },
  {
    name: "no projects",
    body: { ...VALID, targets: { projects: [] } },
    status: 400,
    error: "validation_failed",
    field: "targets.projects",
  },
  {
    name: "projects not a list",
    body: { ...VALID, targets: { projects: "p" } },
    status: 400,
    error: "validation_failed",
    field: "targets.projects",
  },
  {
    name: "'*' mixed with names",
    body: { ...VALID, targets: { projects: ["*", "p"] } },
    status: 400,
    error: "validation_failed",
    field: "targets.projects",
  },
  {
    name: "unknown top-level field",
    body: { ...VALID, force: true },
    status: 400,
    error: "validation_failed",
    field: "force",
  },
  {
    name: "unknown mTLS field",
    body: withMtls({ cipher: "x" }),
    status: 400,
    error: "validation_failed",
    field: "policy.mtls.cipher",
  },
  {
    name: "unknown policy section",
    body: { ...VALID, policy: { ...POLICY, tls: {} } },
    status: 400,
    error: "validation_failed",
    field: "policy.tls",
  },
  {
    name: "bad hostname verifier",
    body: withMtls({ hostnameVerifierType: "LAX" }),
    status: 400,
    error: "validation_failed",
    field: "policy.mtls.hostnameVerifierType",
  },
  {
    name: "bad protocol",
    body: withMtls({ supportedProtocolList: ["TLS_1_2", "TLS_2_0"] }),
    status: 400,
    error: "validation_failed",
    field: "policy.mtls.supportedProtocolList.1",
  },
  {
    name: "enabled without key store",
    body: { ...VALID, policy: { mtls: { enabled: true } } },
    status: 400,
    error: "validation_failed",
    field: "policy.mtls.keyStoreId",
  },
  {
    name: "enabled as a string",
    body: withMtls({ enabled: "true" }),
    status: 400,
    error: "validation_failed",
    field: "policy.mtls.enabled",
  },
  {
    name: "empty mTLS settings",
    body: { ...VALID, policy: { mtls: {} } },
    status: 400,
    error: "validation_failed",
    field: "policy.mtls",
  },
  {
    name: "waves shrinking",
    body: withStrategy({ waves: [10, 5] }),
    status: 400,
    error: "validation_failed",
    field: "strategy.waves.1",
  },
  {
    name: "wave not a size",
    body: withStrategy({ waves: ["abc"] }),
    status: 400,
    error: "validation_failed",
    field: "strategy.waves.0",
  },
  {
    name: "wave of zero",
    body: withStrategy({ waves: [0] }),
    status: 400,
    error: "validation_failed",
    field: "strategy.waves.0",
  },
  {
    name: "wave over 100%",
    body: withStrategy({ waves: ["150%"] }),
    status: 400,
    error: "validation_failed",
    field: "strategy.waves.0",
  },
  {
    name: "negative maxErrors",
    body: withStrategy({ maxErrors: -1 }),
    status: 400,
    error: "validation_failed",
    field: "strategy.maxErrors",
  },
  {
    name: "maxErrors in words",
    body: withStrategy({ maxErrors: "5 percent" }),
    status: 400,
    error: "validation_failed",
    field: "strategy.maxErrors",
  },
  {
    name: "maxTargets zero",
    body: withStrategy({ maxTargets: 0 }),
    status: 400,
    error: "validation_failed",
    field: "strategy.maxTargets",
  },
  {
    name: "maxTargets above ENFORCER_MAX_TARGETS",
    body: withStrategy({ maxTargets: 1001 }),
    status: 400,
    error: "validation_failed",
    field: "strategy.maxTargets",
  },
  {
    name: "negative bake",
    body: withStrategy({ bakeSeconds: -5 }),
    status: 400,
    error: "validation_failed",
    field: "strategy.bakeSeconds",
  },
  {
    name: "unknown strategy field",
    body: withStrategy({ parallel: 3 }),
    status: 400,
    error: "validation_failed",
    field: "strategy.parallel",
  },
  {
    name: "unknown gateway",
    body: { ...VALID, gateway: "staging" },
    status: 400,
    error: "validation_failed",
    field: "gateway",
  },
  {
    name: "dryRun not a boolean",
    body: { ...VALID, dryRun: "yes" },
    status: 400,
    error: "validation_failed",
    field: "dryRun",
  },
  {
    name: "no deploy environments",
    body: { ...VALID, deploy: { environments: [] } },
    status: 400,
    error: "validation_failed",
    field: "deploy.environments",
  },
  {
    name: "description too long",
    body: { ...VALID, description: "d".repeat(2001) },
    status: 400,
    error: "validation_failed",
    field: "description",
  },
  {
    name: "Idempotency-Key too long",
    body: VALID,
    headers: { "idempotency-key": "k".repeat(300) },
    status: 400,
    error: "validation_failed",
    field: "Idempotency-Key",
  },
  ...LONE_SURROGATES.map(
    ([where, body, field]): Case => ({
      name: `a lone surrogate in ${where}`,
      body,
      status: 400,
      error: "validation_failed",
      field,
    }),
  ),
  { name: "no token", body: VALID, token: null, status: 401, error: "unauthorized" },
  { name: "wrong token", body: VALID, token: "not-a-token", status: 401, error: "unauthorized" },
  {
    name: "malformed authorization",
    body: VALID,
    token: null,
    headers: { authorization: "Basic abc" },
    status: 401,
    error: "unauthorized",
  },
  { name: "viewer creating", body: VALID, token: TOKENS.viewer, status: 403, error: "forbidden" },
  {
    name: "viewer cancelling",
    method: "POST",
    path: "/v1/rollouts/r000000000abcdefgh/cancel",
    token: TOKENS.viewer,
    status: 403,
    error: "forbidden",
  },
  {
    name: "unknown rollout",
    method: "GET",
    path: "/v1/rollouts/r000000000abcdefgh",
    status: 404,
    error: "not_found",
  },
  {
    name: "garbage rollout id",
    method: "GET",
    path: "/v1/rollouts/..%2F..%2Fetc",
    status: 404,
    error: "not_found",
  },
  {
    name: "control of an unknown rollout",
    method: "POST",
    path: "/v1/rollouts/r000000000abcdefgh/pause",
    status: 404,
    error: "not_found",
  },
  {
    name: "targets of an unknown rollout",
    method: "GET",
    path: "/v1/rollouts/r000000000abcdefgh/targets",
    status: 404,
    error: "not_found",
  },
  { name: "unknown route", method: "GET", path: "/v2/everything", status: 404, error: "not_found" },
  { name: "wrong method", method: "DELETE", path: "/v1/rollouts", status: 405, error: "method_not_allowed" },
  {
    name: "list limit zero",
    method: "GET",
    path: "/v1/rollouts?limit=0",
    status: 400,
    error: "validation_failed",
    field: "query.limit",
  },
  {
    name: "list status unknown",
    method: "GET",
    path: "/v1/rollouts?status=done",
    status: 400,
    error: "validation_failed",
    field: "query.status",
  },
  {
    name: "list cursor garbage",
    method: "GET",
    path: "/v1/rollouts?cursor=%24%24",
    status: 400,
    error: "validation_failed",
    field: "query.cursor",
  },
  {
    name: "repeated query parameter",
    method: "GET",
    path: "/v1/rollouts?limit=1&limit=2",
    status: 400,
    error: "validation_failed",
    field: "query.limit",
  },
];

describe("bad requests: a clear 4xx JSON error, and nothing changes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "intake",
      { projects: 1, proxiesPerProject: 5 },
      {
        ENFORCER_BODY_LIMIT: "64kb",
        ENFORCER_MAX_TARGETS: "1000",
      },
    );
  });
  afterAll(() => h?.stop());

  it.each(CASES)("$name → $status", async (c) => {
    const res = await h.api(c.method ?? "POST", c.path ?? "/v1/rollouts", c.body, {
      token: c.token === undefined ? TOKENS.admin : c.token,
      headers: c.headers ?? {},
    });
    expect(res.status).toBe(c.status);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.body).toMatchObject({
      error: c.error,
      message: expect.any(String),
      details: expect.any(Array),
    });
    if (c.field !== undefined) {
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(c.field);
    }
    if (c.status === 405) expect(res.headers.get("allow")).toBe("GET, POST");
  });

  it("created no rollout, sent nothing, and the service is still healthy", async () => {
    const list = await h.api("GET", "/v1/rollouts");
    expect(list.body.items).toEqual([]);
    expect(h.sim.state.requestCounts()).toEqual({});
    expect((await h.api("GET", "/healthz", undefined, { token: null })).status).toBe(200);
    expect((await h.api("GET", "/readyz", undefined, { token: null })).status).toBe(200);
    const ok = await h.api("POST", "/v1/rollouts", VALID);
    expect(ok.status).toBe(202);
  });

  it("lists every problem of a body, not only the first", async () => {
    const res = await h.api("POST", "/v1/rollouts", {
      policy: { mtls: { hostnameVerifierType: "LAX", supportedProtocolList: ["SSL_2"] } },
      targets: { projects: [] },
      strategy: { maxErrors: -1 },
    });
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "policy.mtls.hostnameVerifierType",
      "policy.mtls.supportedProtocolList.0",
      "strategy.maxErrors",
      "targets.projects",
    ]);
  });
});
