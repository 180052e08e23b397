import { z } from "zod";
import { STATUS_OF } from "./error-mapping.js";
import type { Route } from "./route.js";

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
};

const ERROR = {
  type: "object",
  required: ["error", "message", "details"],
  properties: {
    error: { type: "string", enum: Object.keys(STATUS_OF) },
    message: { type: "string" },
    details: {
      type: "array",
      items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
    },
  },
};

function queryParameters(schema: z.ZodType | undefined) {
  if (schema === undefined) return [];
  const { properties = {} } = jsonSchema(schema) as { properties?: Record<string, unknown> };
  return Object.entries(properties).map(([name, property]) => ({ name, in: "query", schema: property }));
}

/**
 * OpenAPI 3.1 of the routes this process serves, generated from the route table and the very zod
 * schemas the handlers validate with, so the document cannot drift from the behaviour.
 */
export function openApiDocument(routes: readonly Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? "");
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method] = {
      summary: route.summary,
      operationId: `${route.method}${path.replace(/[{}]/g, "").replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      ...(route.role === null ? { security: [] } : { "x-required-role": route.role }),
      parameters: [
        ...pathParams.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
        ...queryParameters(route.schemas?.query),
      ],
      ...(route.schemas?.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.schemas.body) } },
            },
          }
        : {}),
      responses: {
        "2XX": { description: "Success" },
        default: {
          description: "Error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "apinizer-policy-enforcer",
      version,
      description: "Roll gateway policies out to an Apinizer fleet; see the service contract for semantics.",
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { Error: ERROR },
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
    summary: "This document",
    handle: async () => {
      document ??= openApiDocument(routes(), version);
      return { status: 200, body: document };
    },
  };
}
