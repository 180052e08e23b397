// Whether a proxy's settings satisfy a policy's section, judged field by field by the constraint
// each field states (equality for plain values), and what the proxy held before a change.

import type { SettingsChange } from "../gateway/client.js";
import type { Dialect } from "../gateway/types.js";
import { complies, concrete } from "./constraints.js";
import type { SectionDefinition, Settings } from "./section.js";

/** A field a proxy holds otherwise than the policy asks (a plan line: current → wanted). */
export interface FieldChange {
  section: string;
  field: string;
  current: unknown;
  wanted: unknown;
}

const canonical = (section: SectionDefinition, settings: Settings) =>
  section.canonical ? section.canonical(settings) : settings;

/** The fields of `wanted` the proxy's `current` settings do not satisfy (empty: compliant). */
export function changesFor(section: SectionDefinition, current: Settings, wanted: Settings): FieldChange[] {
  const have = canonical(section, current);
  return Object.entries(canonical(section, wanted))
    .filter(([field, value]) => value !== undefined && !complies(have[field], value))
    .map(([field, value]) => ({ section: section.key, field, current: have[field] ?? null, wanted: value }));
}

/** What the proxy held in each field `wanted` sets: written back by a revert. */
export function beforeImage(section: SectionDefinition, current: Settings, wanted: Settings): Settings {
  const have = canonical(section, current);
  const image: Settings = {};
  for (const field of Object.keys(canonical(section, wanted))) {
    if (have[field] !== undefined) image[field] = have[field];
  }
  return image;
}

/** The section's PATCH on this gateway, as the client sends it. */
export function settingsChange(
  section: SectionDefinition,
  settings: Settings,
  dialect: Dialect,
): SettingsChange {
  return {
    segment: section.segment,
    operation: `update_${section.segment.replaceAll("-", "_")}`,
    body: wireBody(section, settings, dialect),
  };
}

/** The body of the section's PATCH on this gateway: bounds resolved, spelled and wrapped its way. */
function wireBody(section: SectionDefinition, settings: Settings, dialect: Dialect): Settings {
  const resolved: Settings = {};
  for (const [field, value] of Object.entries(canonical(section, settings))) {
    if (value !== undefined) resolved[field] = concrete(value);
  }
  const spelled = section.toDialect ? section.toDialect(resolved, dialect) : resolved;
  return section.wrapper !== undefined && dialect.wrapSections ? { [section.wrapper]: spelled } : spelled;
}
