import { describe, expect, it } from "vitest";
import { changesFor, settingsChange } from "../src/policy/compliance.js";
import { complies, concrete } from "../src/policy/constraints.js";
import { policySchema, sectionByKey } from "../src/policy/registry.js";

const mtls = sectionByKey("mtls");
const cors = sectionByKey("cors");
if (!mtls || !cors) throw new Error("sections missing from the registry");

describe("constraints", () => {
  it('{"min": "TLS_1_2"} sends every protocol at or above it, strongest first', () => {
    expect(concrete({ min: "TLS_1_2" })).toEqual(["TLS_1_3", "TLS_1_2"]);
    expect(concrete({ min: "SSL_3_0" })).toEqual(["TLS_1_3", "TLS_1_2", "TLS_1_1", "TLS_1_0", "SSL_3_0"]);
    expect(concrete({ max: 30 })).toBe(30);
    expect(concrete(["TLS_1_2"])).toEqual(["TLS_1_2"]);
  });

  it("a protocol list complies with a minimum when it is non-empty and holds nothing below it", () => {
    const min = { min: "TLS_1_2" };
    expect(complies(["TLS_1_3"], min)).toBe(true);
    expect(complies(["TLS_1_2", "TLS_1_3"], min)).toBe(true);
    expect(complies(["TLS_1_3", "TLS_1_0"], min)).toBe(false);
    // An empty list means every protocol, SSL 3.0 included.
    expect(complies([], min)).toBe(false);
    expect(complies(undefined, min)).toBe(false);
    expect(complies(["TLS_9"], min)).toBe(false);
  });

  it("numbers comply within their bound; plain values by equality, lists as sets", () => {
    expect(complies(30, { max: 30 })).toBe(true);
    expect(complies(31, { max: 30 })).toBe(false);
    expect(complies(5, { min: 5 })).toBe(true);
    expect(complies(4, { min: 5 })).toBe(false);
    expect(complies("30", { max: 30 })).toBe(false);
    expect(complies(["TLS_1_2", "TLS_1_3"], ["TLS_1_3", "TLS_1_2"])).toBe(true);
    expect(complies(["TLS_1_2"], ["TLS_1_3", "TLS_1_2"])).toBe(false);
    expect(complies([{ a: 1, b: 2 }], [{ b: 2, a: 1 }])).toBe(true);
    expect(complies("STRICT", "STRICT")).toBe(true);
  });
});

describe("compliance of a section", () => {
  const wanted = { supportedProtocolList: { min: "TLS_1_2" }, hostnameVerifierType: "STRICT" };

  it("a TLS-1.3-only proxy with STRICT complies with TLS 1.2+; a TLS 1.0 one does not", () => {
    expect(
      changesFor(mtls, { supportedProtocolList: ["TLS_1_3"], hostnameVerifierType: "STRICT" }, wanted),
    ).toEqual([]);
    expect(
      changesFor(
        mtls,
        { supportedProtocolList: ["TLS_1_2", "TLS_1_0"], hostnameVerifierType: "STRICT" },
        wanted,
      ),
    ).toEqual([
      {
        section: "mtls",
        field: "supportedProtocolList",
        current: ["TLS_1_2", "TLS_1_0"],
        wanted: { min: "TLS_1_2" },
      },
    ]);
  });

  it("store fields compare whichever spelling the manager or the policy used", () => {
    expect(changesFor(mtls, { keyStoreName: "ks" }, { keyStoreId: "ks" })).toEqual([]);
    expect(changesFor(mtls, { keyStoreId: "ks" }, { keyStoreName: "other" })).toHaveLength(1);
  });
});

describe("the PATCH a gateway receives", () => {
  const newer = { storeFields: "id", wrapSections: true } as const;
  const classic = { storeFields: "name", wrapSections: false } as const;

  it("resolves constraints and spells the stores the gateway's way", () => {
    const policy = {
      enabled: true,
      keyStoreId: "ks",
      trustStoreName: "ts",
      supportedProtocolList: { min: "TLS_1_2" },
    };
    expect(settingsChange(mtls, policy, newer)).toEqual({
      segment: "mtls",
      operation: "update_mtls",
      body: {
        enabled: true,
        keyStoreId: "ks",
        trustStoreId: "ts",
        supportedProtocolList: ["TLS_1_3", "TLS_1_2"],
      },
    });
    expect(settingsChange(mtls, policy, classic).body).toEqual({
      enabled: true,
      keyStoreName: "ks",
      trustStoreName: "ts",
      supportedProtocolList: ["TLS_1_3", "TLS_1_2"],
    });
  });

  it("wraps the CORS fields for newer managers only", () => {
    const fields = { corsActive: true, maxAge: { max: 600 } };
    expect(settingsChange(cors, fields, newer).body).toEqual({
      corsSettings: { corsActive: true, maxAge: 600 },
    });
    expect(settingsChange(cors, fields, classic)).toEqual({
      segment: "cors",
      operation: "update_cors",
      body: { corsActive: true, maxAge: 600 },
    });
  });
});

describe("policy schema", () => {
  it("accepts constraints where a field allows them and refuses them elsewhere", () => {
    expect(policySchema.safeParse({ connection: { readTimeout: { max: 30 } } }).success).toBe(true);
    expect(policySchema.safeParse({ mtls: { supportedProtocolList: { min: "TLS_1_2" } } }).success).toBe(
      true,
    );
    expect(policySchema.safeParse({ mtls: { supportedProtocolList: { max: "TLS_1_2" } } }).success).toBe(
      false,
    );
    expect(policySchema.safeParse({ mtls: { hostnameVerifierType: { min: "STRICT" } } }).success).toBe(false);
    expect(policySchema.safeParse({ connection: { readTimeout: { max: 30, min: 1 } } }).success).toBe(false);
    expect(policySchema.safeParse({}).success).toBe(false);
    expect(policySchema.safeParse({ mtls: { keyStoreId: "a", keyStoreName: "a" } }).success).toBe(false);
  });
});
