import type { ErrorKind } from "../service/service-error.js";
import { STATUS_OF } from "./error-mapping.js";
import { schemaRef } from "./openapi-schemas.js";
import type { ResponseSpec, Route } from "./route.js";

// The `responses` of an operation: those its route declares, and the refusals its role, body and
// query imply, each error with the Error body.

/** Described once in `components.headers`, referenced by the answers that carry them. */
export const HEADERS = {
  Location: {
    description: "The path of what was created or returned",
    required: true,
    schema: { type: "string" },
  },
  ETag: {
    description: 'The policy\'s latest version, quoted ("3"): send it back as If-Match',
    required: true,
    schema: { type: "string" },
  },
  "Content-Disposition": {
    description: 'With format=csv: attachment; filename="rollout-<id>.csv"',
    schema: { type: "string" },
  },
  "WWW-Authenticate": {
    description: 'The RFC 6750 challenge: Bearer realm="apinizer-policy-enforcer"[, error="invalid_token"]',
    required: true,
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "On a refusal of failed authentications: seconds until this address may fail again",
    schema: { type: "integer", minimum: 1 },
  },
} as const;

/** What a kind of refusal means wherever it happens; a route adds when it happens there. */
const GENERIC: Partial<Record<ErrorKind, string>> = {
  unauthorized: "No bearer token, or not a valid one",
  too_many_requests:
    "Too many failed authentications from this address (10 at once, then one a second): see Retry-After",
  payload_too_large: "The body is larger than ENFORCER_BODY_LIMIT",
  unsupported_media_type: "The body is not application/json (UTF-8)",
};

/** Whether the route checks a bearer token: its 401s also spend the address's failure budget. */
export const checksToken = (route: Route): boolean =>
  route.role !== null || route.errors?.unauthorized !== undefined;

/** The refusals a route answers with, each with when. */
export function routeErrors(route: Route): Partial<Record<ErrorKind, string>> {
  const implied: Partial<Record<ErrorKind, string>> = {};
  const { schemas } = route;
  if (schemas?.body || schemas?.query) {
    implied.validation_failed = `The ${schemas.body ? "body" : "query"} is invalid: details name each field`;
  }
  if (checksToken(route)) {
    implied.unauthorized = GENERIC.unauthorized;
    implied.too_many_requests = GENERIC.too_many_requests;
  }
  if (route.role === "operator" || route.role === "admin") {
    implied.forbidden = `The caller's role is below ${route.role}`;
  }
  if (route.body) {
    implied.payload_too_large = GENERIC.payload_too_large;
    implied.unsupported_media_type = GENERIC.unsupported_media_type;
  }
  const all = { ...implied };
  for (const [kind, when] of Object.entries(route.errors ?? {}) as Array<[ErrorKind, string]>) {
    all[kind] = implied[kind] === undefined || implied[kind] === when ? when : `${implied[kind]}. ${when}`;
  }
  return all;
}

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

function content(spec: ResponseSpec, where: string) {
  return Object.fromEntries(
    Object.entries(spec.content ?? {}).map(([media, schema]) => {
      if (schema === "text") return [media, { schema: { type: "string" } }];
      if (media === "text/event-stream") {
        // Each event's data, as OpenAPI 3.1 has no way to say it (3.2's itemSchema does).
        return [media, { schema: { type: "string" }, "x-event-data": schemaRef(schema, where) }];
      }
      return [media, { schema: schemaRef(schema, where) }];
    }),
  );
}

/** The operation's `responses` object, errors included, `default` for 500 and 503. */
export function operationResponses(route: Route, where: string): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses ?? {})) {
    responses[status] = {
      description: spec.description,
      ...(spec.headers ? { headers: Object.fromEntries(spec.headers.map((h) => [h, header(h)])) } : {}),
      ...(spec.content ? { content: content(spec, where) } : {}),
    };
  }
  const byStatus = new Map<number, string[]>();
  for (const [kind, when] of Object.entries(routeErrors(route)) as Array<[ErrorKind, string]>) {
    const status = STATUS_OF[kind];
    byStatus.set(status, [...(byStatus.get(status) ?? []), `${kind}: ${when}`]);
  }
  for (const [status, lines] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers =
      status === 401
        ? { "WWW-Authenticate": header("WWW-Authenticate") }
        : status === 429 && checksToken(route)
          ? { "Retry-After": header("Retry-After") }
          : undefined;
    responses[String(status)] = {
      description: lines.join(". "),
      ...(headers ? { headers } : {}),
      content: errorContent,
    };
  }
  responses.default = {
    description: "internal (500): the service log has the details; unavailable (503): Redis does not answer",
    content: errorContent,
  };
  return responses;
}
