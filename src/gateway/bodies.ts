// Request bodies the client sends and the summaries it keeps of what the manager lists.
import { isObject, type JsonObject } from "./envelopes.js";
import type { MtlsSettings, ProjectSummary, ProxySummary } from "./types.js";

/** Every field of the mTLS settings body the client knows; anything else in a settings object is dropped. */
export const MTLS_FIELDS = [
  "enabled",
  "keyStoreId",
  "trustStoreId",
  "keyStoreName",
  "trustStoreName",
  "supportedProtocolList",
  "hostnameVerifierType",
  "disableSslValidation",
] as const satisfies ReadonlyArray<keyof MtlsSettings>;

/** Only the fields given are sent: the manager updates exactly those. */
export function mtlsBody(settings: MtlsSettings): JsonObject {
  const body: JsonObject = {};
  for (const field of MTLS_FIELDS) {
    if (settings[field] !== undefined) body[field] = settings[field];
  }
  return body;
}

export function projectSummary(item: unknown): ProjectSummary | undefined {
  if (!isObject(item) || typeof item.name !== "string") return undefined;
  return typeof item.description === "string"
    ? { name: item.name, description: item.description }
    : { name: item.name };
}

// Only the summary fields are kept: a project's list can hold thousands of full proxy definitions.
export function proxySummary(item: unknown): ProxySummary | undefined {
  if (!isObject(item) || typeof item.name !== "string") return undefined;
  const summary: ProxySummary = { name: item.name };
  for (const field of ["type", "description", "relativePath"] as const) {
    const value = item[field];
    if (typeof value === "string") summary[field] = value;
  }
  return summary;
}
