import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { type ErrorKind, ServiceError } from "../service/service-error.js";

export const STATUS_OF: Record<ErrorKind, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
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
  const parserError = fromBodyParser(error as { type?: string });
  if (parserError) return parserError;
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
    res
      .status(STATUS_OF[mapped.kind])
      .json({ error: mapped.kind, message: mapped.message, details: mapped.details });
  };
}
