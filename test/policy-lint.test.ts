import { describe, expect, it } from "vitest";
import { lintPolicy } from "../src/policy/lint.js";

const codes = (policy: Record<string, Record<string, unknown>>) =>
  lintPolicy(policy).map((w) => `${w.code} ${w.path}`);

describe("policy lint", () => {
  it("a TLS 1.2+ STRICT policy with both stores is clean", () => {
    expect(
      lintPolicy({
        mtls: {
          enabled: true,
          keyStoreId: "ks",
          trustStoreId: "ts",
          supportedProtocolList: { min: "TLS_1_2" },
          hostnameVerifierType: "STRICT",
        },
        connection: { connectTimeout: { max: 10 }, readTimeout: 30, retryCount: 2 },
        cors: { allowOriginList: ["https://app.example"], allowCredentials: "true" },
      }),
    ).toEqual([]);
  });

  it.each([
    [
      { mtls: { supportedProtocolList: ["TLS_1_2", "TLS_1_1"] } },
      "weak_protocol policy.mtls.supportedProtocolList",
    ],
    [
      { mtls: { supportedProtocolList: { min: "TLS_1_0" } } },
      "weak_protocol policy.mtls.supportedProtocolList",
    ],
    [{ mtls: { supportedProtocolList: [] } }, "all_protocols_allowed policy.mtls.supportedProtocolList"],
    [
      { mtls: { hostnameVerifierType: "NOOP" } },
      "weak_hostname_verification policy.mtls.hostnameVerifierType",
    ],
    [
      { mtls: { hostnameVerifierType: "BROWSER_COMPAT" } },
      "weak_hostname_verification policy.mtls.hostnameVerifierType",
    ],
    [{ mtls: { enabled: true, keyStoreId: "ks" } }, "mtls_without_truststore policy.mtls.trustStoreId"],
    [{ mtls: { disableSslValidation: true } }, "ssl_validation_disabled policy.mtls.disableSslValidation"],
    [
      { cors: { allowOriginList: ["*"], allowCredentials: "true" } },
      "cors_wildcard_with_credentials policy.cors.allowOriginList",
    ],
    [
      { cors: { origin: "*", allowCredentials: "true" } },
      "cors_wildcard_with_credentials policy.cors.allowOriginList",
    ],
    [{ connection: { readTimeout: 0 } }, "timeout_out_of_bounds policy.connection.readTimeout"],
    [{ connection: { connectTimeout: 3600 } }, "timeout_out_of_bounds policy.connection.connectTimeout"],
    [
      { connection: { connectionRequestTimeout: { min: 5 } } },
      "timeout_out_of_bounds policy.connection.connectionRequestTimeout",
    ],
    [{ connection: { retryCount: 10 } }, "retry_count_high policy.connection.retryCount"],
    [
      { connection: { failoverRetryCount: { min: 6 } } },
      "retry_count_high policy.connection.failoverRetryCount",
    ],
    [{ connection: { maxRedirects: 50 } }, "redirects_high policy.connection.maxRedirects"],
    [
      { circuitBreaker: { enumErrorThresholdType: "PERCENT", errorThresholdValue: 150 } },
      "threshold_out_of_bounds policy.circuitBreaker.errorThresholdValue",
    ],
  ])("%j → %s", (policy, expected) => {
    expect(codes(policy)).toEqual([expected]);
  });

  it("a wildcard origin without credentials, and a bounded timeout, are fine", () => {
    expect(codes({ cors: { allowOriginList: ["*"], allowCredentials: "false" } })).toEqual([]);
    expect(codes({ connection: { readTimeout: { max: 30 } } })).toEqual([]);
  });
});
