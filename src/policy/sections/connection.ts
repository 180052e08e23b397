import { z } from "zod";
import { asConstraint, boundedInt, concrete } from "../constraints.js";
import { finding, type SectionDefinition, type SectionFinding, sectionBody } from "../section.js";

const TIMEOUTS = ["connectTimeout", "readTimeout", "connectionRequestTimeout"] as const;
const RETRIES = ["retryCount", "failoverRetryCount"] as const;
/** Sane bounds (seconds, counts): beyond them a slow backend ties up the gateway or a retry storm hits it. */
const MAX_TIMEOUT_SECONDS = 300;
const MAX_RETRIES = 5;
const MAX_REDIRECTS = 20;

// The manager's ApiProxyConnectionSettingsUpdateDTO body.
const schema = sectionBody(
  {
    connectionSettingsEnabled: z.boolean().optional(),
    connectTimeout: boundedInt("Seconds to open a connection to the backend").optional(),
    readTimeout: boundedInt("Seconds to wait for the backend's answer").optional(),
    connectionRequestTimeout: boundedInt("Seconds to wait for a pooled connection").optional(),
    redirectsEnabled: z.boolean().optional(),
    maxRedirects: boundedInt("Redirects followed").optional(),
    relativeRedirectsAllowed: z.boolean().optional(),
    disableContentCompression: z.boolean().optional(),
    enableStreaming: z.boolean().optional(),
    retryCount: boundedInt("Retries of a failed backend call").optional(),
    failoverRetryCount: boundedInt("Retries on another backend address").optional(),
    ignoreRoutingError: z.boolean().optional(),
    connectionPoolManagementType: z.enum(["GENERAL", "CUSTOM", "NONE"]).optional(),
    customConnectionPoolSize: boundedInt("Connections in the proxy's own pool").optional(),
  },
  "connection",
);

/** What a field allows at most: a value, or a `{max}` bound; a `{min}` bound allows anything above. */
function upperBound(value: unknown): number | undefined {
  const constraint = asConstraint(value);
  if (constraint !== undefined && "min" in constraint) return undefined;
  const bound = concrete(value);
  return typeof bound === "number" ? bound : undefined;
}

export const connectionSection: SectionDefinition = {
  key: "connection",
  segment: "connection",
  label: "connection",
  appliesToAiProxies: false,
  schema,
  lint(connection) {
    const findings: SectionFinding[] = [];
    for (const field of TIMEOUTS) {
      if (connection[field] === undefined) continue;
      const bound = upperBound(connection[field]);
      if (bound === undefined || bound === 0 || bound > MAX_TIMEOUT_SECONDS) {
        findings.push(
          finding(
            "timeout_out_of_bounds",
            field,
            `${field} should be bounded, between 1 and ${MAX_TIMEOUT_SECONDS} seconds`,
          ),
        );
      }
    }
    for (const field of RETRIES) {
      const bound = connection[field] === undefined ? 0 : upperBound(connection[field]);
      if (bound === undefined || bound > MAX_RETRIES) {
        findings.push(
          finding(
            "retry_count_high",
            field,
            `more than ${MAX_RETRIES} retries multiply load on a failing backend`,
          ),
        );
      }
    }
    const redirects = connection.maxRedirects === undefined ? 0 : upperBound(connection.maxRedirects);
    if (redirects === undefined || redirects > MAX_REDIRECTS) {
      findings.push(finding("redirects_high", "maxRedirects", `more than ${MAX_REDIRECTS} redirects`));
    }
    return findings;
  },
};
