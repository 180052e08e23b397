import type { z } from "zod";
import type { Caller, Role } from "../config/config.js";

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
  /** The schemas the handler validates with; the OpenAPI document is generated from them. */
  schemas?: { body?: z.ZodType; query?: z.ZodType };
  handle(input: RequestInput): Promise<Reply | StreamReply>;
}
