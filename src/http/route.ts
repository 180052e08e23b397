import type { z } from "zod";
import type { Caller, Role } from "../config/config.js";
import type { ErrorKind } from "../service/service-error.js";

export interface RequestInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  caller: Caller;
  header(name: string): string | undefined;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A reply written piece by piece (server-sent events, large reports): `write` waits while the
 * client is slow, and `signal` aborts when it goes away.
 */
export interface StreamReply {
  status: number;
  headers: Record<string, string>;
  stream(write: (chunk: string) => Promise<void>, signal: AbortSignal): Promise<void>;
}

/** Headers an answer may carry; each is described once, in the OpenAPI document's components. */
export type ResponseHeader = "Location" | "ETag" | "Content-Disposition";

/** Request headers a route reads. */
export type RequestHeader = "Idempotency-Key" | "If-Match";

/**
 * One answer of a route: its body by media type, as a named contract (src/contracts), or "text"
 * for a body of that type that is not JSON (CSV, Prometheus text). For `text/event-stream` the
 * schema is that of each event's data.
 */
export interface ResponseSpec {
  description: string;
  content?: Record<string, z.ZodType | "text">;
  headers?: ResponseHeader[];
}

/** One API operation: a plain function from input to reply; express is only the adapter. */
export interface Route {
  method: "get" | "post" | "put" | "delete";
  /** express path template, also the `route` label of the HTTP metrics */
  path: string;
  /** minimum role; null = public */
  role: Role | null;
  /** takes a JSON body */
  body?: boolean;
  /** a long-lived event stream: counts against the caller's ENFORCER_MAX_STREAMS_PER_CALLER */
  eventStream?: boolean;
  summary: string;
  /** More than the summary, for the API reference. */
  description?: string;
  /** Unique, stable; derived from method and path when absent. */
  operationId?: string;
  /** The reference's section; derived from the path when absent. */
  tag?: string;
  /** The schemas the handler validates with; the OpenAPI document is generated from them. */
  schemas?: { body?: z.ZodType; query?: z.ZodType };
  /** Request headers the handler reads. */
  headers?: RequestHeader[];
  /** The route's answers by status (test/api-contract*.test.ts checks real ones against them). */
  responses?: Record<number, ResponseSpec>;
  /**
   * Refusals beyond those its role, body and query imply (401, 403, 400, 413, 415, 429 are
   * added for those), each with when it happens.
   */
  errors?: Partial<Record<ErrorKind, string>>;
  handle(input: RequestInput): Promise<Reply | StreamReply>;
}
