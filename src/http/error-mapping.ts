import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { type ErrorKind, ServiceError } from "../service/service-error.js";
import { HttpRefusal } from "./http-refusal.js";

export const STATUS_OF: Record<ErrorKind, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

/** body-parser's error types, which express raises before any handler runs. */
function fromBodyParser(error: { type?: string; message?: string }): ServiceError | undefined {
  switch (error.type) {
    case "entity.parse.failed":
      return new ServiceError("validation_failed", "the body is not valid JSON", [
        { path: "(body)", message: "malformed JSON" },
      ]);
    case "entity.too.large":
      return new ServiceError("payload_too_large", "the body is larger than this service accepts");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new ServiceError("unsupported_media_type", "send the body as UTF-8 JSON");
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return new ServiceError("validation_failed", "the request body could not be read");
    default:
      return undefined;
  }
}

const KIND_OF_STATUS = new Map(
  Object.entries(STATUS_OF).map(([kind, status]) => [status, kind as ErrorKind]),
);

/**
 * Whatever else express and its router raise with a 4xx status (http-errors style `status` or
 * `statusCode`) is the caller's mistake: the contract's 4xx, never a 500. The router, for one,
 * throws a URIError with status 400 for a path parameter that is not valid percent-encoding.
 */
function fromClientStatus(error: { status?: unknown; statusCode?: unknown }): ServiceError | undefined {
  const status = Number(error.status ?? error.statusCode);
  if (!(status >= 400 && status <= 499)) return undefined;
  if (error instanceof URIError) {
    return new ServiceError("validation_failed", "the path is not valid percent-encoding (%XX)", [
      { path: "(path)", message: error.message },
    ]);
  }
  const message = error instanceof Error ? error.message : "the request was refused";
  return new ServiceError(KIND_OF_STATUS.get(status) ?? "validation_failed", message);
}

/** Redis unreachable (offline queue disabled on request connections): 503, not 500. */
function isRedisDown(error: Error): boolean {
  return (
    error.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|enableOfflineQueue|ECONNREFUSED|Stream isn't writeable|Reached the max retries/i.test(
      error.message,
    )
  );
}

export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (typeof error === "object" && error !== null) {
    const clientError = fromBodyParser(error) ?? fromClientStatus(error);
    if (clientError) return clientError;
  }
  if (error instanceof Error && isRedisDown(error)) {
    return new ServiceError("unavailable", "the state store (Redis) is unavailable; try again shortly");
  }
  return new ServiceError("internal", "internal error; the service log has the details");
}

/** Every error, whatever the route, as the contract's JSON (no stack, no secret). */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const mapped = toServiceError(error);
    if (mapped.kind === "internal" || mapped.kind === "unavailable") {
      log.error({ err: error, method: req.method, path: req.path }, "request failed");
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (mapped instanceof HttpRefusal) res.set(mapped.headers);
    res
      .status(STATUS_OF[mapped.kind])
      .json({ error: mapped.kind, message: mapped.message, details: mapped.details });
  };
}
