// The PATCH .../settings/mtls/ body: its fields, their types and enums, and the documented rules.
import type { MtlsSettings } from "../gateway/types.js";

export const PROTOCOLS = ["TLS_1_3", "TLS_1_2", "TLS_1_1", "TLS_1_0", "SSL_3_0"] as const;
export const HOSTNAME_VERIFIERS = ["NOOP", "DEFAULT", "STRICT", "BROWSER_COMPAT"] as const;

/** Returns why the value is wrong, or undefined when it is fine. */
type FieldCheck = (value: unknown) => string | undefined;

const isBoolean: FieldCheck = (value) => (typeof value === "boolean" ? undefined : "must be a boolean");
const isString: FieldCheck = (value) => (typeof value === "string" ? undefined : "must be a string");

function isOneOf(allowed: readonly string[]): FieldCheck {
  return (value) =>
    typeof value === "string" && allowed.includes(value) ? undefined : `must be one of ${allowed.join(", ")}`;
}

function isListOf(item: FieldCheck): FieldCheck {
  return (value) => {
    if (!Array.isArray(value)) return "must be an array";
    const wrong = value.map(item).find((message) => message !== undefined);
    return wrong === undefined ? undefined : `items ${wrong}`;
  };
}

const SETTINGS_FIELDS = {
  enabled: isBoolean,
  keyStoreId: isString,
  trustStoreId: isString,
  keyStoreName: isString,
  trustStoreName: isString,
  supportedProtocolList: isListOf(isOneOf(PROTOCOLS)),
  hostnameVerifierType: isOneOf(HOSTNAME_VERIFIERS),
  disableSslValidation: isBoolean,
} satisfies Record<keyof MtlsSettings, FieldCheck>;

const DEPLOY_FIELDS = {
  deploy: isBoolean,
  deployTargetEnvironmentNameList: isListOf(isString),
} satisfies Record<string, FieldCheck>;

const FIELDS: Record<string, FieldCheck> = { ...SETTINGS_FIELDS, ...DEPLOY_FIELDS };

/** Every body field the simulator accepts: the openapi DTO's, plus those only the prose docs name. */
export const MTLS_BODY_FIELDS: readonly string[] = Object.keys(FIELDS);

export interface MtlsPatch {
  /** Only the fields given: they are merged into the stored settings. */
  settings: MtlsSettings;
  deploy: boolean;
  /** `deployTargetEnvironmentNameList`, or empty when not given. */
  deployTo: string[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Types and enums, as the manager's JSON binding checks them before the controller runs.
 * Unknown fields are refused (a real manager would ignore them) so that a client's typo shows up
 * in tests instead of silently changing nothing. `null` counts as absent: PATCH semantics.
 */
export function parseMtlsBody(text: string): Checked<MtlsPatch> {
  if (text.trim() === "") return { ok: false, message: "Required request body is missing" };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, message: "Malformed JSON request body" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "Request body must be a JSON object" };
  }
  const given: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const check = FIELDS[field];
    if (!check) return { ok: false, message: `Unknown field '${field}'` };
    if (value === null) continue;
    const wrong = check(value);
    if (wrong) return { ok: false, message: `Field '${field}' ${wrong}` };
    given[field] = value;
  }
  const { deploy, deployTargetEnvironmentNameList, ...settings } = given;
  return {
    ok: true,
    value: {
      settings: settings as MtlsSettings,
      deploy: deploy === true,
      deployTo: (deployTargetEnvironmentNameList as string[] | undefined) ?? [],
    },
  };
}

/** The documented rules, checked on the settings the save would leave behind. */
export function mergeMtls(current: MtlsSettings, patch: MtlsPatch): Checked<MtlsSettings> {
  if (patch.deploy && patch.deployTo.length === 0) {
    return { ok: false, message: "deployTargetEnvironmentNameList is required when deploy is true" };
  }
  const merged = { ...current, ...patch.settings };
  // The docs name only keyStoreId; the openapi DTO names the store keyStoreName: either will do.
  if (merged.enabled === true && !merged.keyStoreId && !merged.keyStoreName) {
    return { ok: false, message: "KeyStore ID is required when mTLS is enabled" };
  }
  return { ok: true, value: merged };
}
