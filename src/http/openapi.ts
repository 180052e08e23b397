import type { z } from "zod";
import { openApiDocumentContract } from "../contracts/common.js";
import { HEADERS, operationResponses } from "./openapi-responses.js";
import { componentSchemas, inlineSchema, schemaRef } from "./openapi-schemas.js";
import { json } from "./responses.js";
import type { RequestHeader, Route } from "./route.js";

/** The reference's sections, in order. */
export const TAGS: Record<string, string> = {
  Rollouts:
    "One policy rolled out to many proxies, in waves with an error budget: create, follow, steer, revert",
  Reports: "A rollout's result per target, streamed as JSON or CSV",
  Policies: "Named, versioned policies that rollouts and sweeps refer to by name",
  Schedules: "Compliance sweeps: a rollout body fired on a cron (admin only, reading included)",
  Audit: "Who changed what, when",
  Gateways: "The configured Apinizer managers: reachability and token validity",
  Whoami: "Who the bearer token says the caller is (the web console asks, to show what the role may do)",
  Operations: "Health, readiness, metrics and this document",
};

const REQUEST_HEADERS: Record<RequestHeader, Record<string, unknown>> = {
  "Idempotency-Key": {
    description:
      "The same key and body (per caller, for 24 h) return the first rollout (200) instead of a new one; the same key with another body is a 409",
    schema: { type: "string", minLength: 1, maxLength: 255 },
  },
  "If-Match": {
    description:
      'The version last read (3, or the ETag "3"): the write is refused (409) unless it is still the latest',
    schema: { type: "string" },
  },
};

const PATH_PARAMETERS: Record<string, Record<string, unknown>> = {
  id: { description: "A rollout id", schema: { type: "string" } },
  name: {
    description: "A policy's or schedule's name: letters, digits, - and _, at most 64",
    schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
  },
  version: { description: "A version number (1, 2, ...)", schema: { type: "string", pattern: "^\\d{1,9}$" } },
};

export const openApiPath = (route: Route): string => route.path.replace(/:(\w+)/g, "{$1}");

const derivedOperationId = (route: Route): string =>
  `${route.method}${openApiPath(route)
    .replace(/[{}]/g, "")
    .replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`;

function derivedTag(route: Route): string {
  const section = /^\/v1\/([a-z]+)/.exec(route.path)?.[1];
  return section === undefined ? "Operations" : section.charAt(0).toUpperCase() + section.slice(1);
}

/** For the query parameters every list shares, where their schema says nothing. */
const QUERY_PARAMETERS: Record<string, string> = {
  limit: "At most this many items",
  cursor: "nextCursor of the previous page",
  status: "Only the items in this status",
};

function queryParameters(schema: z.ZodType | undefined) {
  if (schema === undefined) return [];
  const { properties = {} } = inlineSchema(schema) as {
    properties?: Record<string, { description?: string }>;
  };
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: "query",
    description: description ?? QUERY_PARAMETERS[name] ?? name,
    schema: property,
  }));
}

function requestBody(schema: z.ZodType, where: string) {
  return { required: true, content: { "application/json": { schema: schemaRef(schema, where) } } };
}

function operation(route: Route) {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const pathParams = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? "");
  return {
    operationId: route.operationId ?? derivedOperationId(route),
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag ?? derivedTag(route)],
    ...(route.role === null ? { security: [] } : { "x-required-role": route.role }),
    parameters: [
      ...pathParams.map((name) => ({ name, in: "path", required: true, ...PATH_PARAMETERS[name] })),
      ...queryParameters(route.schemas?.query),
      ...(route.headers ?? []).map((name) => ({ name, in: "header", ...REQUEST_HEADERS[name] })),
    ],
    ...(route.schemas?.body ? { requestBody: requestBody(route.schemas.body, where) } : {}),
    responses: operationResponses(route, where),
  };
}

/**
 * OpenAPI 3.1 of the routes this process serves, generated from the route table, the very zod
 * schemas the handlers validate with and the response contracts the routes declare (which
 * test/api-contract*.test.ts checks real answers against), so the document cannot drift from
 * the behaviour.
 */
export function openApiDocument(routes: readonly Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[openApiPath(route)] = { ...paths[openApiPath(route)], [route.method]: operation(route) };
  }
  const used = new Set(routes.map((route) => route.tag ?? derivedTag(route)));
  return {
    openapi: "3.1.0",
    info: {
      title: "apinizer-policy-enforcer",
      version,
      description:
        "Roll gateway policies out to an Apinizer fleet. Callers send `Authorization: Bearer <token>`; roles are viewer < operator < admin (`x-required-role`). Every answer carries `X-Request-Id` (the request's own, or a new one). The reference with the semantics is docs/api.md.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "This service" }],
    tags: Object.entries(TAGS)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: componentSchemas(),
      headers: HEADERS,
    },
    security: [{ bearer: [] }],
  };
}

/** `GET /openapi.json`: built once, on first request, from every route of the process. */
export function openApiRoute(routes: () => readonly Route[], version: string): Route {
  let document: unknown;
  return {
    method: "get",
    path: "/openapi.json",
    role: null,
    operationId: "getOpenApiDocument",
    tag: "Operations",
    summary: "This document",
    responses: { 200: json("OpenAPI 3.1", openApiDocumentContract) },
    handle: async () => {
      document ??= openApiDocument(routes(), version);
      return { status: 200, body: document };
    },
  };
}
