import { z } from "zod";
import type { ErrorKind } from "../service/service-error.js";
import { named } from "./registry.js";

// Shapes shared by several answers of the API.

/** The `error` of an error body, one per HTTP status class the service answers with. */
export const ERROR_KINDS = [
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "too_many_requests",
  "unavailable",
  "internal",
] as const satisfies readonly ErrorKind[];

// Every kind the service can raise is listed above: a new one fails to compile here.
type Unlisted = Exclude<ErrorKind, (typeof ERROR_KINDS)[number]>;
export const ERROR_KINDS_COMPLETE: [Unlisted] extends [never] ? true : Unlisted = true;

export const errorContract = named(
  "Error",
  z
    .object({
      error: z.enum(ERROR_KINDS).describe("What kind of refusal: one per HTTP status"),
      message: z.string().describe("For people: what was wrong and, where it helps, what to do"),
      details: z
        .array(
          z.object({
            path: z.string().describe("The field, e.g. `strategy.waves.1`, `query.limit`, `If-Match`"),
            message: z.string(),
          }),
        )
        .optional()
        .describe("One entry per invalid field of a 400 (empty otherwise)"),
    })
    .describe("Every 4xx and 5xx answer"),
);

/** Times are ISO 8601 in UTC, as `Date.toISOString()` writes them. */
export const isoTime = z.iso.datetime();

export const count = z.int().min(0);

/** A policy lint finding (a `strict` body is refused with them instead). */
export const policyWarningContract = named(
  "PolicyWarning",
  z.object({
    code: z.string().describe("e.g. weak_protocol, weak_hostname_verification"),
    path: z.string().describe("Where, from the request body's root: `policy.mtls.hostnameVerifierType`"),
    message: z.string(),
  }),
);

/** A page of a list; `nextCursor` is null on the last page, else the `cursor` of the next one. */
export function page<T extends z.ZodType>(id: string, item: T) {
  return named(
    id,
    z.object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe("Pass it back as `cursor` for the next page; null: no more"),
    }),
  );
}

export const health = named("Health", z.object({ status: z.literal("ok") }));
export const readiness = named("Readiness", z.object({ status: z.literal("ready") }));

export const openApiDocumentContract = named(
  "OpenApiDocument",
  z
    .looseObject({
      openapi: z.string(),
      info: z.looseObject({ version: z.string() }),
      paths: z.looseObject({}),
    })
    .describe("OpenAPI 3.1: this document"),
);
