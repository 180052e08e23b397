import { describe, expect, it } from "vitest";
import { GatewayError, type GatewayErrorKind } from "../src/gateway/errors.js";
import {
  DEFAULT_RETRY_OPTIONS,
  type RetryOptions,
  resolveRetryOptions,
  withRetry,
} from "../src/gateway/retry-policy.js";

const fast: RetryOptions = {
  maxAttempts: 4,
  minDelayMs: 1,
  maxDelayMs: 5,
  maxRetryTimeMs: 5_000,
  rateLimited: "wait",
};

const failure = (kind: GatewayErrorKind, code: string, retryAfterMs?: number) =>
  new GatewayError({
    kind,
    operation: "update_mtls",
    code,
    gatewayMessage: code,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

/** An attempt function failing with the given errors in turn, then answering "ok". */
function script(...errors: Error[]) {
  let calls = 0;
  const attempt = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return "ok";
  };
  return { attempt, calls: () => calls };
}

describe("retry policy", () => {
  it("returns the value and the number of attempts", async () => {
    const { attempt } = script(failure("retryable", "503"), failure("retryable", "timeout"));
    const reasons: string[] = [];
    const result = await withRetry(attempt, fast, { onRetry: (error) => reasons.push(error.code) });
    expect(result).toEqual({ value: "ok", attempts: 3 });
    expect(reasons).toEqual(["503", "timeout"]);
  });

  it("gives up after maxAttempts and says how many were made", async () => {
    const { attempt, calls } = script(...Array.from({ length: 10 }, () => failure("retryable", "network")));
    const error = await withRetry(attempt, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "network", attempts: 4 });
    expect(calls()).toBe(4);
  });

  it.each(["permanent", "auth"] as const)("%s errors are not retried", async (kind) => {
    const { attempt, calls } = script(failure(kind, "400"));
    const reasons: string[] = [];
    const error = await withRetry(attempt, fast, { onRetry: (e) => reasons.push(e.code) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind, attempts: 1 });
    expect(calls()).toBe(1);
    expect(reasons).toEqual([]);
  });

  it("does not retry errors it does not know (bugs)", async () => {
    const { attempt, calls } = script(new TypeError("x is undefined"));
    await expect(withRetry(attempt, fast)).rejects.toThrow("x is undefined");
    expect(calls()).toBe(1);
  });

  it("waits at least Retry-After before retrying a rate-limited call", async () => {
    const { attempt } = script(failure("rate-limited", "429", 150));
    const started = performance.now();
    const result = await withRetry(attempt, { ...fast, minDelayMs: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(result.attempts).toBe(2);
  });

  it("rate-limited waits still count toward maxAttempts", async () => {
    const { attempt, calls } = script(
      failure("rate-limited", "429", 1),
      failure("retryable", "503"),
      failure("rate-limited", "429", 1),
      failure("retryable", "503"),
      failure("retryable", "503"),
    );
    await expect(withRetry(attempt, fast)).rejects.toMatchObject({ attempts: 4 });
    expect(calls()).toBe(4);
  });

  it("a rate-limited error without a wait backs off like any other", async () => {
    const { attempt } = script(failure("rate-limited", "429"));
    expect(await withRetry(attempt, fast)).toEqual({ value: "ok", attempts: 2 });
  });

  it("with rateLimited 'throw' hands a 429 back at once, with its wait", async () => {
    const { attempt, calls } = script(failure("rate-limited", "429", 30_000));
    const error = await withRetry(attempt, { ...fast, rateLimited: "throw" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "rate-limited", retryAfterMs: 30_000, attempts: 1 });
    expect(calls()).toBe(1);
  });

  it("fails at once when Retry-After would outlast maxRetryTime", async () => {
    const { attempt, calls } = script(failure("rate-limited", "503", 60_000));
    const started = performance.now();
    await expect(withRetry(attempt, { ...fast, maxRetryTimeMs: 1_000 })).rejects.toMatchObject({
      retryAfterMs: 60_000,
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(calls()).toBe(1);
  });

  it("stops retrying once maxRetryTime has passed", async () => {
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      throw failure("retryable", "timeout");
    };
    const error = await withRetry(slow, { ...fast, maxAttempts: 10, maxRetryTimeMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "timeout" });
    expect((error as GatewayError).attempts).toBeLessThanOrEqual(3);
  });

  it("an abort cuts a Retry-After wait and rejects with the signal's reason", async () => {
    const { attempt } = script(failure("rate-limited", "429", 10_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("rollout cancelled")), 50);
    const started = performance.now();
    await expect(
      withRetry(attempt, { ...fast, maxRetryTimeMs: 20_000 }, { signal: controller.signal }),
    ).rejects.toThrow("rollout cancelled");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("an already aborted signal makes no attempt", async () => {
    const { attempt, calls } = script();
    await expect(withRetry(attempt, fast, { signal: AbortSignal.abort(new Error("stop")) })).rejects.toThrow(
      "stop",
    );
    expect(calls()).toBe(0);
  });
});

describe("retry options", () => {
  it("fills defaults and ignores undefined overrides", () => {
    expect(resolveRetryOptions({ maxAttempts: undefined, minDelayMs: 1 })).toEqual({
      ...DEFAULT_RETRY_OPTIONS,
      minDelayMs: 1,
    });
  });

  it("refuses nonsense", () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ maxAttempts: 1.5 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ maxRetryTimeMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ rateLimited: "later" as "wait" })).toThrow(RangeError);
  });
});
