import { describe, expect, it } from "vitest";
import {
  classifyStatus,
  deploymentError,
  envelopeError,
  GatewayError,
  httpError,
  parseRetryAfter,
  transportError,
} from "../src/gateway/errors.js";

const withCode = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("gateway error classification", () => {
  it("classifies statuses", () => {
    expect(classifyStatus(500, false)).toBe("retryable");
    expect(classifyStatus(502, false)).toBe("retryable");
    expect(classifyStatus(503, false)).toBe("retryable");
    expect(classifyStatus(504, false)).toBe("retryable");
    expect(classifyStatus(503, true)).toBe("rate-limited");
    expect(classifyStatus(429, false)).toBe("rate-limited");
    expect(classifyStatus(401, false)).toBe("auth");
    expect(classifyStatus(400, false)).toBe("permanent");
    expect(classifyStatus(403, false)).toBe("permanent");
    expect(classifyStatus(404, false)).toBe("permanent");
    expect(classifyStatus(409, false)).toBe("permanent");
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(["4", "9"], now)).toBe(4000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("a 429 is rate-limited, with the wait from the header or the body's retry_after", () => {
    const fromHeader = httpError("update_mtls", 429, { "retry-after": "3" }, undefined);
    expect(fromHeader).toMatchObject({
      kind: "rate-limited",
      code: "429",
      httpStatus: 429,
      retryAfterMs: 3000,
    });
    expect(fromHeader.gatewayMessage).toBe("Too Many Requests");
    const fromBody = httpError("update_mtls", 429, {}, { error: "rate_limit_exceeded", retry_after: 60 });
    expect(fromBody).toMatchObject({ kind: "rate-limited", retryAfterMs: 60_000 });
    expect(httpError("update_mtls", 429, {}, undefined).retryAfterMs).toBeUndefined();
  });

  it("a 503 with Retry-After is rate-limited, without it retryable", () => {
    expect(httpError("list_proxies", 503, { "retry-after": "1" }, undefined)).toMatchObject({
      kind: "rate-limited",
      retryAfterMs: 1000,
    });
    const plain = httpError("list_proxies", 503, {}, undefined, "Service Unavailable");
    expect(plain.kind).toBe("retryable");
    expect(plain.retryAfterMs).toBeUndefined();
  });

  it("a Retry-After on a 400 does not make it retryable", () => {
    const error = httpError("update_mtls", 400, { "retry-after": "1" }, undefined);
    expect(error.kind).toBe("permanent");
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("keeps the manager's own message, in both generations", () => {
    const older = httpError("get_proxy", 404, {}, { error: "not_found", error_description: "no such proxy" });
    expect(older).toMatchObject({ kind: "permanent", code: "404", gatewayMessage: "no such proxy" });
    const newer = httpError(
      "get_proxy",
      400,
      {},
      { status: "FAILURE", resultMessage: "ApiProxy (name: a) was not found!" },
    );
    expect(newer).toMatchObject({ kind: "permanent", gatewayMessage: "ApiProxy (name: a) was not found!" });
    const auth = httpError(
      "list_projects",
      401,
      {},
      { error: "unauthorized_client", error_description: "Token is not valid!" },
    );
    expect(auth).toMatchObject({ kind: "auth", code: "401" });
    expect(auth.message).toBe("Apinizer list_projects failed (HTTP 401): Token is not valid!");
  });

  it("falls back to the status text", () => {
    expect(httpError("get_proxy", 502, {}, "<html>bad gateway</html>").gatewayMessage).toBe("Bad Gateway");
    expect(httpError("get_proxy", 599, {}, undefined).gatewayMessage).toBe("HTTP 599");
  });

  it("a failure envelope under 200 is permanent", () => {
    const error = envelopeError("update_mtls", 200, {
      success: false,
      error_description: "KeyStore ID is required",
    });
    expect(error).toMatchObject({
      kind: "permanent",
      code: "200",
      httpStatus: 200,
      gatewayMessage: "KeyStore ID is required",
    });
    expect(envelopeError("list_projects", 200, "OK").gatewayMessage).toBe("unexpected response body");
  });

  it("a deployment failure is permanent and names each failed environment", () => {
    const deployments = [
      { environmentName: "test", success: true },
      { environmentName: "production", success: false, message: "pod unreachable" },
    ];
    const error = deploymentError("update_mtls", 200, deployments);
    expect(error).toMatchObject({ kind: "permanent", code: "200", deployments });
    expect(error.gatewayMessage).toBe("deployment failed: production: pod unreachable");
  });

  it.each([
    ["UND_ERR_SOCKET", "network"],
    ["ECONNRESET", "network"],
    ["ECONNREFUSED", "network"],
    ["UND_ERR_CONNECT_TIMEOUT", "network"],
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
    ["UND_ERR_BODY_TIMEOUT", "timeout"],
  ])("transport error %s is retryable with code %s", (code, expected) => {
    expect(transportError("get_proxy", withCode(code))).toMatchObject({ kind: "retryable", code: expected });
  });

  it("an abort by timeout is a retryable timeout", () => {
    const error = transportError("get_proxy", new DOMException("too slow", "TimeoutError"));
    expect(error).toMatchObject({ kind: "retryable", code: "timeout", gatewayMessage: "too slow" });
  });

  it("finds the code inside an AggregateError or a cause", () => {
    const aggregate = new AggregateError([withCode("ECONNREFUSED")], "connect failed");
    expect(transportError("get_proxy", aggregate)).toMatchObject({ kind: "retryable", code: "network" });
    const wrapped = new Error("fetch failed", { cause: withCode("ECONNRESET") });
    expect(transportError("get_proxy", wrapped)).toMatchObject({ kind: "retryable", code: "network" });
  });

  it("an unknown transport failure is not retried", () => {
    const error = transportError("get_proxy", withCode("ENOTFOUND", "getaddrinfo ENOTFOUND nohost"));
    expect(error).toMatchObject({
      kind: "permanent",
      code: "network",
      gatewayMessage: "getaddrinfo ENOTFOUND nohost",
    });
  });

  it("serialises to JSON with its classification", () => {
    const error = httpError("update_mtls", 429, { "retry-after": "2" }, undefined);
    error.attempts = 3;
    expect(error).toBeInstanceOf(GatewayError);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: "GatewayError",
      kind: "rate-limited",
      code: "429",
      retryAfterMs: 2000,
      attempts: 3,
    });
  });
});
