// A settings PATCH body: checked as the manager's JSON binding would, then merged onto the stored settings.
import type { Flavour } from "../types.js";
import {
  bool,
  type Checked,
  type Fields,
  isJsonObject,
  listOf,
  objectOf,
  parseFields,
  text,
} from "./fields.js";
import { acceptedFields, type Section, wrapperIn } from "./section.js";

/** Every settings body also takes these: deploy after the save, to these environments. */
export const DEPLOY_FIELDS = { deploy: bool, deployTargetEnvironmentNameList: listOf(text) } satisfies Fields;

/** One section's stored settings: plain fields, whatever the generation's body looked like. */
export type Settings = Record<string, unknown>;

export interface SettingsPatch {
  /** Only the fields given: they are merged into the stored settings. */
  settings: Settings;
  deploy: boolean;
  /** `deployTargetEnvironmentNameList`, or empty when not given. */
  deployTo: string[];
}

/** The body's top-level fields in a generation: the settings (wrapped or not) and the deploy fields. */
function bodyFields(section: Section, flavour: Flavour): Fields {
  const accepted = acceptedFields(section, flavour);
  const wrapper = wrapperIn(section, flavour);
  return { ...(wrapper === undefined ? accepted : { [wrapper]: objectOf(accepted) }), ...DEPLOY_FIELDS };
}

function parseJsonObject(text: string): Checked<Record<string, unknown>> {
  if (text.trim() === "") return { ok: false, message: "Required request body is missing" };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, message: "Malformed JSON request body" };
  }
  return isJsonObject(body)
    ? { ok: true, value: body }
    : { ok: false, message: "Request body must be a JSON object" };
}

export function parseSettingsBody(section: Section, flavour: Flavour, text: string): Checked<SettingsPatch> {
  const body = parseJsonObject(text);
  if (!body.ok) return body;
  const given = parseFields(bodyFields(section, flavour), body.value);
  if (!given.ok) return given;
  const { deploy, deployTargetEnvironmentNameList, ...rest } = given.value;
  const wrapper = wrapperIn(section, flavour);
  // The newer docs mark the wrapper required: a body without it (or a flat one) is not a CORS update.
  if (wrapper !== undefined && rest[wrapper] === undefined) {
    return { ok: false, message: `Field '${wrapper}' is required` };
  }
  return {
    ok: true,
    value: {
      settings: (wrapper === undefined ? rest : rest[wrapper]) as Settings,
      deploy: deploy === true,
      deployTo: (deployTargetEnvironmentNameList as string[] | undefined) ?? [],
    },
  };
}

/** The settings the save leaves behind, or why the manager refuses them (checked on the merged result). */
export function mergeSettings(
  section: Section,
  flavour: Flavour,
  current: Settings,
  patch: SettingsPatch,
): Checked<Settings> {
  if (patch.deploy && patch.deployTo.length === 0) {
    return { ok: false, message: "deployTargetEnvironmentNameList is required when deploy is true" };
  }
  const merged = { ...current, ...patch.settings };
  const refused = section.rule?.(merged, flavour);
  return refused === undefined ? { ok: true, value: merged } : { ok: false, message: refused };
}
