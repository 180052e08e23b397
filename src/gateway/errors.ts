// What can go wrong talking to a manager, sorted into what the caller does about it.
// Errors are built only from the status, headers and body of an answer (or the transport error),
// never from the request, so the token cannot end up in a message, stack or log line.
import { STATUS_CODES } from "node:http";
import { envelopeMessage, isObject } from "./envelopes.js";
import type { DeploymentOutcome, GatewayOperation } from "./types.js";

/**
 * - `retryable`: a blip (network, timeout, 5xx): retry with backoff.
 * - `rate-limited`: 429, or 503 with a Retry-After: wait `retryAfterMs` (or back off) before retrying.
 * - `auth`: 401, the token is bad: every other call would fail too.
 * - `permanent`: the manager refused this request (other 4xx, failure envelope, failed deployment).
 */
export type GatewayErrorKind = "retryable" | "rate-limited" | "auth" | "permanent";

export interface GatewayErrorInit {
  kind: GatewayErrorKind;
  operation: GatewayOperation;
  /** HTTP status as a string, or `network` / `timeout`. */
  code: string;
  gatewayMessage: string;
  httpStatus?: number;
  retryAfterMs?: number;
  deployments?: DeploymentOutcome[];
}

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly kind: GatewayErrorKind;
  readonly operation: GatewayOperation;
  readonly code: string;
  /** The manager's own message (`error_description` / `resultMessage`), else the status text or transport error. */
  readonly gatewayMessage: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  /** Per-environment outcomes when a deployment failed. */
  readonly deployments?: DeploymentOutcome[];
  /** HTTP attempts made before giving up; set by the retry policy. */
  attempts = 1;
  /** The settings section whose PATCH failed, when a target sends several. */
  section?: string;

  constructor(init: GatewayErrorInit) {
    const status = init.httpStatus === undefined ? init.code : `HTTP ${init.httpStatus}`;
    super(`Apinizer ${init.operation} failed (${status}): ${init.gatewayMessage}`);
    this.kind = init.kind;
    this.operation = init.operation;
    this.code = init.code;
    this.gatewayMessage = init.gatewayMessage;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.deployments !== undefined) this.deployments = init.deployments;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      operation: this.operation,
      code: this.code,
      httpStatus: this.httpStatus,
      gatewayMessage: this.gatewayMessage,
      retryAfterMs: this.retryAfterMs,
      deployments: this.deployments,
      attempts: this.attempts,
      section: this.section,
    };
  }
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms (never negative). */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The older docs' `{"error": "rate_limit_exceeded", "retry_after": 60}` (seconds). */
function bodyRetryAfter(body: unknown): number | undefined {
  if (!isObject(body)) return undefined;
  const seconds = typeof body.retry_after === "string" ? Number(body.retry_after) : body.retry_after;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
    ? Math.round(seconds * 1000)
    : undefined;
}

export function classifyStatus(status: number, hasRetryAfter: boolean): GatewayErrorKind {
  if (status === 429 || (status === 503 && hasRetryAfter)) return "rate-limited";
  if (status === 401) return "auth";
  // The contract retries every 5xx; newer managers answer 400 for "not found" and "no permission".
  if (status >= 500) return "retryable";
  return "permanent";
}

/** A non-2xx answer. */
export function httpError(
  operation: GatewayOperation,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  statusText?: string,
  now = Date.now(),
): GatewayError {
  const retryAfterMs = parseRetryAfter(headers["retry-after"], now) ?? bodyRetryAfter(body);
  const kind = classifyStatus(status, retryAfterMs !== undefined);
  return new GatewayError({
    kind,
    operation,
    code: String(status),
    httpStatus: status,
    gatewayMessage: envelopeMessage(body) ?? (statusText || STATUS_CODES[status] || `HTTP ${status}`),
    ...(kind === "rate-limited" && retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** A 2xx answer that is not what the operation needs: a failure envelope, or a body we cannot read. */
export function envelopeError(
  operation: GatewayOperation,
  status: number,
  body: unknown,
  fallback = "unexpected response body",
): GatewayError {
  return new GatewayError({
    kind: "permanent",
    operation,
    code: String(status),
    httpStatus: status,
    gatewayMessage: envelopeMessage(body) ?? fallback,
  });
}

/** The save may have succeeded, but some environment did not get the change. */
export function deploymentError(
  operation: GatewayOperation,
  status: number,
  deployments: DeploymentOutcome[],
): GatewayError {
  const failed = deployments.filter((deployment) => !deployment.success);
  return new GatewayError({
    kind: "permanent",
    operation,
    code: String(status),
    httpStatus: status,
    gatewayMessage: `deployment failed: ${failed
      .map((deployment) => `${deployment.environmentName}: ${deployment.message ?? "failed"}`)
      .join("; ")}`,
    deployments,
  });
}

const NETWORK_CODES = new Set([
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "EAI_AGAIN",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  // Happy-eyeballs connects fail with an AggregateError; undici may wrap the socket error as `cause`.
  const inner = error instanceof AggregateError ? error.errors[0] : error.cause;
  return inner === error ? undefined : errorCode(inner);
}

/** A request that got no (complete) answer. Unknown transport failures (e.g. ENOTFOUND) are not retried. */
export function transportError(operation: GatewayOperation, error: unknown): GatewayError {
  const code = errorCode(error);
  const message = error instanceof Error && error.message ? error.message : String(error);
  if ((error instanceof Error && error.name === "TimeoutError") || (code && TIMEOUT_CODES.has(code))) {
    return new GatewayError({ kind: "retryable", operation, code: "timeout", gatewayMessage: message });
  }
  const kind = code && NETWORK_CODES.has(code) ? "retryable" : "permanent";
  const gatewayMessage = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new GatewayError({ kind, operation, code: "network", gatewayMessage });
}
