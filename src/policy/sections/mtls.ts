import { z } from "zod";
import { asConstraint, PROTOCOLS, protocolList } from "../constraints.js";
import { finding, type SectionDefinition, type SectionFinding, type Settings } from "../section.js";
import { shortText } from "../text.js";

const WEAK_PROTOCOLS = new Set(["SSL_3_0", "TLS_1_0", "TLS_1_1"]);
const WEAK_VERIFIERS = new Set(["NOOP", "BROWSER_COMPAT"]);
const STORES = [
  ["keyStoreId", "keyStoreName"],
  ["trustStoreId", "trustStoreName"],
] as const;

const schema = z
  .object({
    enabled: z.boolean().optional(),
    keyStoreId: shortText.optional(),
    trustStoreId: shortText.optional(),
    keyStoreName: shortText.optional(),
    trustStoreName: shortText.optional(),
    supportedProtocolList: protocolList.optional(),
    hostnameVerifierType: z.enum(["NOOP", "DEFAULT", "STRICT", "BROWSER_COMPAT"]).optional(),
    disableSslValidation: z.boolean().optional(),
  })
  .strict()
  .superRefine((mtls, ctx) => {
    if (Object.keys(mtls).length === 0) {
      ctx.addIssue({ code: "custom", message: "give at least one mTLS setting" });
    }
    for (const [id, name] of STORES) {
      if (mtls[id] !== undefined && mtls[name] !== undefined) {
        ctx.addIssue({ code: "custom", path: [name], message: `give ${id} or ${name}, not both` });
      }
    }
    // The manager refuses this (400), so refuse it before any gateway call.
    if (mtls.enabled === true && mtls.keyStoreId === undefined && mtls.keyStoreName === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["keyStoreId"],
        message: "KeyStore ID is required when mTLS is enabled (keyStoreId or keyStoreName)",
      });
    }
  });

/** Store fields by their id spelling, whichever the manager or the policy used. */
function canonical(settings: Settings): Settings {
  const out = { ...settings };
  for (const [id, name] of STORES) {
    if (out[name] !== undefined && out[id] === undefined) out[id] = out[name];
    delete out[name];
  }
  return out;
}

function protocolFindings(list: unknown): SectionFinding[] {
  const field = "supportedProtocolList";
  const min = asConstraint(list);
  const allowed =
    min && "min" in min ? PROTOCOLS.slice(0, PROTOCOLS.indexOf(min.min as never) + 1) : (list as string[]);
  if (allowed.length === 0) {
    return [
      finding(
        "all_protocols_allowed",
        field,
        "an empty protocol list allows every protocol, SSL 3.0 included",
      ),
    ];
  }
  const weak = allowed.filter((p) => WEAK_PROTOCOLS.has(p));
  return weak.length === 0
    ? []
    : [
        finding(
          "weak_protocol",
          field,
          `allows ${weak.join(", ")}: use TLS 1.2 or better ({"min": "TLS_1_2"})`,
        ),
      ];
}

export const mtlsSection: SectionDefinition = {
  key: "mtls",
  segment: "mtls",
  label: "mTLS",
  appliesToAiProxies: false,
  schema,
  canonical,
  toDialect(settings, dialect) {
    if (dialect.storeFields === "id") return settings;
    const out = { ...settings };
    for (const [id, name] of STORES) {
      if (out[id] !== undefined) out[name] = out[id];
      delete out[id];
    }
    return out;
  },
  lint(mtls) {
    const findings: SectionFinding[] = [];
    if (mtls.supportedProtocolList !== undefined)
      findings.push(...protocolFindings(mtls.supportedProtocolList));
    const verifier = mtls.hostnameVerifierType;
    if (typeof verifier === "string" && WEAK_VERIFIERS.has(verifier)) {
      findings.push(
        finding(
          "weak_hostname_verification",
          "hostnameVerifierType",
          `${verifier} does not check the host name: use STRICT`,
        ),
      );
    }
    if (mtls.enabled === true && mtls.trustStoreId === undefined && mtls.trustStoreName === undefined) {
      findings.push(
        finding(
          "mtls_without_truststore",
          "trustStoreId",
          "mTLS is enabled without a trust store to check the backend against",
        ),
      );
    }
    if (mtls.disableSslValidation === true) {
      findings.push(
        finding(
          "ssl_validation_disabled",
          "disableSslValidation",
          "the backend's certificate is not validated",
        ),
      );
    }
    return findings;
  },
};
