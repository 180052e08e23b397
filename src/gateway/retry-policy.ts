// The one place that decides whether, when and how often a gateway call is tried again.
// Short blips are retried here; long outages are left to the queue's job attempts, and with
// `rateLimited: "throw"` a 429 goes back to the caller so it can pause the whole queue.
import { setTimeout as sleep } from "node:timers/promises";
import pRetry, { AbortError } from "p-retry";
import { GatewayError } from "./errors.js";

export type RateLimitedMode = "wait" | "throw";

export interface RetryOptions {
  /** HTTP attempts per call, the first included. */
  maxAttempts: number;
  /** Backoff before the first retry; doubles each retry, times a random factor in [1, 2). */
  minDelayMs: number;
  maxDelayMs: number;
  /** No retry starts after this much time since the first attempt, and no Retry-After wait runs past it. */
  maxRetryTimeMs: number;
  /** `wait`: honour Retry-After here; `throw`: hand the rate-limited error to the caller at once. */
  rateLimited: RateLimitedMode;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = {
  maxAttempts: 4,
  minDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryTimeMs: 30_000,
  rateLimited: "wait",
};

/** Defaults plus the given overrides (undefined values ignored); throws RangeError on nonsense. */
export function resolveRetryOptions(overrides: Partial<RetryOptions> = {}): RetryOptions {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const options: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...given };
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number >= 1, got ${options.maxAttempts}`);
  }
  for (const key of ["minDelayMs", "maxDelayMs", "maxRetryTimeMs"] as const) {
    if (!(options[key] >= 0)) throw new RangeError(`${key} must be >= 0, got ${options[key]}`);
  }
  if (options.rateLimited !== "wait" && options.rateLimited !== "throw") {
    throw new RangeError(`rateLimited must be "wait" or "throw", got ${String(options.rateLimited)}`);
  }
  return options;
}

export interface RetryHooks {
  signal?: AbortSignal | undefined;
  /** Called before each retry with the error that caused it. */
  onRetry?: (error: GatewayError) => void;
}

export interface Attempted<T> {
  value: T;
  attempts: number;
}

/** A wait the server asked for (Retry-After / retry_after): it replaces our own backoff. */
const serverDelay = (error: Error): number | undefined =>
  error instanceof GatewayError && error.kind === "rate-limited" ? error.retryAfterMs : undefined;

function retriable(error: unknown, options: RetryOptions): error is GatewayError {
  if (!(error instanceof GatewayError)) return false; // caller aborts and bugs are not retried
  if (error.kind === "retryable") return true;
  return error.kind === "rate-limited" && options.rateLimited === "wait";
}

/**
 * Runs `attempt` until it succeeds or the policy gives up. Resolves with the value and the number of
 * attempts; a GatewayError it rejects with carries `attempts` too. A caller abort rejects with the
 * signal's reason.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
  hooks: RetryHooks = {},
): Promise<Attempted<T>> {
  const started = performance.now();
  let attempts = 0;
  let lastError: GatewayError | undefined;

  const run = async (attemptNumber: number): Promise<T> => {
    if (lastError) hooks.onRetry?.(lastError);
    attempts = attemptNumber;
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!retriable(error, options)) throw new AbortError(error instanceof Error ? error : String(error));
      lastError = error;
      throw error;
    }
  };

  try {
    const value = await pRetry(run, {
      retries: options.maxAttempts - 1,
      factor: 2,
      minTimeout: options.minDelayMs,
      maxTimeout: options.maxDelayMs,
      randomize: true,
      maxRetryTime: options.maxRetryTimeMs,
      signal: hooks.signal,
      // A server-paced wait happens in onFailedAttempt; not consuming a retry skips p-retry's own delay.
      shouldConsumeRetry: ({ error }) => serverDelay(error) === undefined,
      onFailedAttempt: async ({ error, attemptNumber }) => {
        // Server-paced retries do not consume p-retry's budget, so the attempt bound is enforced here.
        if (attemptNumber >= options.maxAttempts) throw error;
        const delay = serverDelay(error);
        if (delay === undefined) return;
        // A wait that cannot finish within the budget is useless: fail now so the caller can reschedule.
        if (delay > options.maxRetryTimeMs - (performance.now() - started)) throw error;
        try {
          await sleep(delay, undefined, { signal: hooks.signal });
        } catch {
          throw hooks.signal?.reason ?? error;
        }
      },
    });
    return { value, attempts };
  } catch (error) {
    if (error instanceof GatewayError) error.attempts = attempts;
    throw error;
  }
}
