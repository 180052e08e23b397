// Response bodies in the two documentation generations' shapes; handlers pick by meaning, not by flavour.
import type { Flavour } from "./types.js";

export interface Reply {
  status: number;
  /** Sent as JSON, or as text/plain when `plainText` is set. */
  body: unknown;
  plainText?: boolean;
  headers?: Record<string, string>;
}

/** Older managers' OAuth-style error codes, by HTTP status. */
const CLASSIC_ERROR_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized_client",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  500: "server_error",
  503: "temporarily_unavailable",
};

export function failure(flavour: Flavour, status: number, message: string): Reply {
  if (flavour === "classic") {
    return { status, body: { error: CLASSIC_ERROR_CODES[status] ?? "error", error_description: message } };
  }
  return { status, body: { status: "FAILURE", resultMessage: message } };
}

/** A missing project or proxy: older managers say 404, newer ones "generally" 400. */
export function notFound(flavour: Flavour, message: string): Reply {
  return failure(flavour, flavour === "classic" ? 404 : 400, message);
}

/** The settings pages' success: `{success: true}` (older) or `{status: "SUCCESS"}` (newer), plus extras. */
export function success(flavour: Flavour, extra: Record<string, unknown> = {}): Reply {
  const envelope = flavour === "classic" ? { success: true } : { status: "SUCCESS" };
  return { status: 200, body: { ...envelope, ...extra } };
}

/** Lists look the same in both generations. */
export function list(items: unknown[]): Reply {
  return { status: 200, body: { status: "SUCCESS", resultList: items, resultCount: items.length } };
}

/** One object: older managers answer it bare, newer ones wrap it in a one-element result list. */
export function single(flavour: Flavour, item: unknown): Reply {
  return { status: 200, body: flavour === "classic" ? item : { success: true, resultList: [item] } };
}

export function unavailable(flavour: Flavour): Reply {
  return failure(flavour, 503, "Service temporarily unavailable");
}

/** 429: `Retry-After` header in both; the older docs' body also names it (`retry_after`). */
export function rateLimited(flavour: Flavour, retryAfterSeconds: number): Reply {
  const headers = { "retry-after": String(retryAfterSeconds) };
  if (flavour === "classic") {
    return { status: 429, headers, body: { error: "rate_limit_exceeded", retry_after: retryAfterSeconds } };
  }
  return { status: 429, headers, body: { status: "FAILURE", resultMessage: "Rate limit exceeded" } };
}

/** The healthcheck's bare `OK` (text/plain in the openapi file). */
export function ok(): Reply {
  return { status: 200, body: "OK", plainText: true };
}
