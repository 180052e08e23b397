import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { ServiceError } from "../service/service-error.js";
import { HttpRefusal } from "./http-refusal.js";
import { type BucketLimits, SourceBuckets } from "./source-buckets.js";

export interface AuthFailureLimits extends BucketLimits {
  /** At most one log line per this many ms. */
  logEveryMs: number;
}

/** 10 failures at once from one address, then one a second; one summary line a minute. */
export const AUTH_FAILURE_LIMITS: AuthFailureLimits = {
  burst: 10,
  perSecond: 1,
  maxSources: 10_000,
  logEveryMs: 60_000,
};

/**
 * Failed authentications summarised in at most one warn line per `logEveryMs`: how many, from how
 * many addresses, how many were throttled. Nothing a caller sent (token, header, path, address) is
 * in it, so failures can neither flood the log nor write into it. The first failure after a quiet
 * period is logged at once; the ones after it when the period ends.
 */
function failureLog(log: Logger, { logEveryMs, maxSources }: AuthFailureLimits) {
  let failures = 0;
  let throttled = 0;
  const sources = new Set<string>();
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let pending: NodeJS.Timeout | undefined;
  const flush = () => {
    pending = undefined;
    log.warn(
      { failures, throttled, sources: sources.size, periodSeconds: logEveryMs / 1000 },
      "failed authentications",
    );
    lastLoggedAt = Date.now();
    failures = 0;
    throttled = 0;
    sources.clear();
  };
  return (source: string, wasThrottled: boolean) => {
    failures++;
    if (wasThrottled) throttled++;
    if (sources.size < maxSources) sources.add(source);
    if (pending !== undefined) return;
    const wait = lastLoggedAt + logEveryMs - Date.now();
    if (wait <= 0) flush();
    else pending = setTimeout(flush, wait).unref();
  };
}

/**
 * Error middleware for every 401: the source address spends a token of its bucket, and once the
 * bucket is empty the answer is a 429 with Retry-After instead. Only failures spend tokens, so a
 * request with a valid token is never slowed, whoever else shares its address.
 */
export function authFailureGuard(log: Logger, limits: AuthFailureLimits = AUTH_FAILURE_LIMITS) {
  const buckets = new SourceBuckets(limits);
  const record = failureLog(log, limits);
  const guard: ErrorRequestHandler = (error, req, _res, next) => {
    if (!(error instanceof ServiceError && error.kind === "unauthorized")) return next(error);
    const source = req.socket.remoteAddress ?? "unknown";
    const retryAfter = buckets.take(source);
    record(source, retryAfter > 0);
    if (retryAfter === 0) return next(error);
    next(
      new HttpRefusal(
        "too_many_requests",
        `too many failed authentications from this address; retry in ${retryAfter} s`,
        { "Retry-After": String(retryAfter) },
      ),
    );
  };
  return guard;
}
