// PATCH .../settings/mtls/ (RoutingMTLSSettingsDTO), whose key and trust store fields each generation spells its own way.
import { bool, listOf, oneOf, text } from "./fields.js";
import { defineSection } from "./section.js";

const PROTOCOLS = ["TLS_1_3", "TLS_1_2", "TLS_1_1", "TLS_1_0", "SSL_3_0"] as const;
const HOSTNAME_VERIFIERS = ["NOOP", "DEFAULT", "STRICT", "BROWSER_COMPAT"] as const;

const COMMON = {
  enabled: bool,
  /** Empty = every protocol allowed, SSL 3.0 included (per the docs). */
  supportedProtocolList: listOf(oneOf(PROTOCOLS)),
  hostnameVerifierType: oneOf(HOSTNAME_VERIFIERS),
};

/** The published openapi DTO's spelling: the stores by name. */
const CLASSIC = { ...COMMON, keyStoreName: text, trustStoreName: text };

/** The prose docs' spelling: the stores by id, plus `disableSslValidation`, which newer managers add. */
const NEWER = { ...COMMON, keyStoreId: text, trustStoreId: text, disableSslValidation: bool };

/** The store field the "KeyStore ID is required" rule looks at: the generation's own. */
const KEY_STORE_FIELD = { classic: "keyStoreName", newer: "keyStoreId" } as const;

export const MTLS = defineSection({
  key: "mtls",
  segment: "mtls",
  schemaName: "RoutingMTLSSettingsDTO",
  fields: { ...CLASSIC, ...NEWER },
  // Each generation refuses the other's spelling, so a client sending the wrong one fails in tests.
  fieldsIn: (flavour) => (flavour === "classic" ? CLASSIC : NEWER),
  defaults: () => ({ enabled: false, supportedProtocolList: [], hostnameVerifierType: "NOOP" as const }),
  aiRefusal: "mTLS settings are not supported for AI proxies",
  rule(merged, flavour) {
    const keyStore = merged[KEY_STORE_FIELD[flavour]];
    return merged.enabled === true && !keyStore ? "KeyStore ID is required when mTLS is enabled" : undefined;
  },
});
