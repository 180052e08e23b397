import type { SeedProject, SeedProxy } from "../../src/simulator/types.js";

type Protocol = "TLS_1_3" | "TLS_1_2" | "TLS_1_1" | "TLS_1_0" | "SSL_3_0";

/** A proxy whose mTLS settings allow these protocols. */
export const tlsProxy = (
  name: string,
  supportedProtocolList: Protocol[],
  hostnameVerifierType: "STRICT" | "NOOP" = "STRICT",
): SeedProxy => ({ name, mtls: { supportedProtocolList, hostnameVerifierType } });

/** Project Payments: one proxy on TLS 1.3 only (complies with "TLS 1.2 or better"), one still allowing TLS 1.0. */
export const tlsFleet = (tls10Verifier: "STRICT" | "NOOP", ...more: SeedProxy[]): SeedProject[] => [
  {
    name: "Payments",
    proxies: [
      tlsProxy("tls13-only", ["TLS_1_3"]),
      tlsProxy("tls10", ["TLS_1_2", "TLS_1_0"], tls10Verifier),
      ...more,
    ],
  },
];
