// Checks real answers of the service against what its routes declare (src/contracts): the body
// against the declared zod schema, with no field the contract does not name, the media type, the
// headers, and that each refusal's status is one the route's document lists.
import { expect } from "vitest";
import type { z } from "zod";
import { errorContract } from "../../src/contracts/index.js";
import { STATUS_OF } from "../../src/http/error-mapping.js";
import { HEADERS, routeErrors } from "../../src/http/openapi-responses.js";
import type { Route } from "../../src/http/route.js";
import type { Harness } from "./service.js";

type Answer = Awaited<ReturnType<Harness["api"]>>;

/** Operations test/api-contract.test.ts exercises; test/api-contract-admin.test.ts does the rest. */
export const ROLLOUT_OPERATIONS = [
  "getHealth",
  "getReadiness",
  "getMetrics",
  "getOpenApiDocument",
  "createRollout",
  "listRollouts",
  "getRollout",
  "listRolloutTargets",
  "streamRolloutEvents",
  "revertRollout",
  "pauseRollout",
  "resumeRollout",
  "cancelRollout",
  "retryRollout",
  "getRolloutReport",
];
export const ADMIN_OPERATIONS = [
  "putPolicy",
  "listPolicies",
  "getPolicy",
  "getPolicyVersion",
  "diffPolicy",
  "deletePolicy",
  "putSchedule",
  "listSchedules",
  "getSchedule",
  "deleteSchedule",
  "runSchedule",
  "listAudit",
  "listGateways",
  "whoami",
];

/** `schema` accepts `value`, and keeps all of it: a field the contract does not name fails too. */
export function expectConforms(schema: z.ZodType, value: unknown, where: string): void {
  const result = schema.safeParse(value);
  expect(result.success, `${where}: ${result.error?.message}`).toBe(true);
  expect(result.data, `${where}: fields the contract does not name`).toEqual(value);
}

/** The data of each event of a server-sent event stream. */
export function eventData(text: string): Array<{ event: string; data: string }> {
  return text
    .split("\n\n")
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .filter((line) => line.startsWith(`${name}: `))
          .map((line) => line.slice(name.length + 2))
          .join("\n");
      return { event: field("event"), data: field("data") };
    })
    .filter((e) => e.data !== "");
}

function routeOf(routes: readonly Route[], method: string, url: string): Route {
  const path = url.split("?")[0] ?? "";
  const route = routes.find(
    (r) =>
      r.method === method.toLowerCase() &&
      new RegExp(`^${r.path.replace(/:\w+/g, "[^/]+").replace(/\./g, "\\.")}$`).test(path),
  );
  if (route === undefined) throw new Error(`no route serves ${method} ${path}`);
  return route;
}

/** Wraps `h.api` so that every answer is checked against its route's declaration. */
export function contractChecked(h: Harness) {
  /** The operations that answered 2xx at least once. */
  const succeeded = new Set<string>();

  function check(method: string, url: string, res: Answer): void {
    const route = routeOf(h.runtime.routes, method, url);
    const where = `${method} ${url} → ${res.status}`;
    const type = (res.headers.get("content-type") ?? "").split(";")[0] ?? "";
    if (res.status >= 400) {
      expect(type, where).toBe("application/json");
      expectConforms(errorContract, res.body, where);
      expect(STATUS_OF[res.body.error as keyof typeof STATUS_OF], where).toBe(res.status);
      if (res.status < 500) {
        // Every refusal is one the document lists for this operation.
        expect(Object.keys(routeErrors(route)), where).toContain(res.body.error);
      }
      if (res.status === 401) expect(res.headers.get("www-authenticate"), where).toMatch(/^Bearer realm=/);
      return;
    }
    const spec = route.responses?.[res.status];
    expect(spec, `${where}: a status the route does not declare`).toBeDefined();
    for (const header of spec?.headers ?? []) {
      if ("required" in HEADERS[header]) expect(res.headers.get(header), `${where}: ${header}`).toBeTruthy();
    }
    succeeded.add(route.operationId ?? `${route.method} ${route.path}`);
    if (spec?.content === undefined) {
      expect(res.body, `${where}: a body where none is declared`).toBe("");
      return;
    }
    const schema = spec.content[type];
    expect(schema, `${where}: media type ${type} is not declared`).toBeDefined();
    if (schema === undefined || schema === "text") {
      expect(typeof res.body, where).toBe("string");
    } else if (type === "text/event-stream") {
      const events = eventData(String(res.body));
      expect(events.length, where).toBeGreaterThan(0);
      for (const { event, data } of events) expectConforms(schema, JSON.parse(data), `${where} ${event}`);
    } else {
      expectConforms(schema, res.body, where);
    }
  }

  const api: Harness["api"] = async (method, url, body, init) => {
    const res = await h.api(method, url, body, init);
    check(method, url, res);
    return res;
  };
  return { api, succeeded };
}
