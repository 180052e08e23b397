import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TOKENS } from "./helpers/service.js";

describe("the HTTP surface", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("surface", { projects: 1, proxiesPerProject: 2 });
  });
  afterAll(() => h?.stop());

  it("documents every route in OpenAPI 3.1, generated from the validating schemas", async () => {
    const res = await h.api("GET", "/openapi.json", undefined, { token: null });
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    for (const route of h.runtime.routes) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      expect(doc.paths[path]?.[route.method], `${route.method.toUpperCase()} ${route.path}`).toBeDefined();
    }
    const create = doc.paths["/v1/rollouts"].post;
    expect(create.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/RolloutRequest",
    });
    const body = doc.components.schemas.RolloutRequest;
    // A policy inline or a named one: neither is required on its own (the service wants exactly one).
    expect(body.required).toEqual(expect.arrayContaining(["targets"]));
    expect(body.properties.policyRef.type).toBe("string");
    expect(body.additionalProperties).toBe(false);
    const policy = doc.components.schemas.Policy;
    expect(policy.properties.mtls.properties.hostnameVerifierType.enum).toEqual([
      "NOOP",
      "DEFAULT",
      "STRICT",
      "BROWSER_COMPAT",
    ]);
    const list = doc.paths["/v1/rollouts/{id}/targets"].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(["id", "status", "limit", "cursor"]);
    expect(list.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/TargetPage",
    });
    expect(create.parameters).toContainEqual(
      expect.objectContaining({ name: "Idempotency-Key", in: "header" }),
    );
    expect(Object.keys(doc.paths["/v1/rollouts/{id}/events"].get.responses["200"].content)).toEqual([
      "text/event-stream",
    ]);
  });

  it("shows the queue board to admins only", async () => {
    expect((await h.api("GET", "/admin/queues", undefined, { token: null })).status).toBe(401);
    const operator = await h.api("GET", "/admin/queues", undefined, { token: TOKENS.operator });
    expect(operator.status).toBe(403);
    expect(operator.body.error).toBe("forbidden");
    const admin = await h.api("GET", "/admin/queues", undefined, { token: TOKENS.admin });
    expect(admin.status).toBe(200);
    expect(String(admin.body)).toMatch(/<html/i);
    const queues = await h.api("GET", "/admin/queues/api/queues", undefined, { token: TOKENS.admin });
    expect(JSON.stringify(queues.body)).toContain("targets-default");
  });

  it("answers health and readiness without a token, and tags every answer with a request id", async () => {
    const health = await h.api("GET", "/healthz", undefined, { token: null });
    expect(health.body).toEqual({ status: "ok" });
    expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await h.api("GET", "/readyz", undefined, {
      token: null,
      headers: { "x-request-id": "trace-123" },
    });
    expect(traced.headers.get("x-request-id")).toBe("trace-123");
  });
});
