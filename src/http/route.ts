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

/** One API operation: a plain function from input to reply; express is only the adapter. */
export interface Route {
  method: "get" | "post" | "put" | "delete";
  /** express path template, also the `route` label of the HTTP metrics */
  path: string;
  /** minimum role; null = public */
  role: Role | null;
  /** takes a JSON body */
  body?: boolean;
  summary: string;
  handle(input: RequestInput): Promise<Reply>;
}
