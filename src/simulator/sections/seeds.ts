// A proxy's settings at start: each section's defaults with the seed's fields on top, checked like a body.
import type { SeedProxy } from "../types.js";
import type { Settings } from "./body.js";
import { isSectionKey, SECTIONS, type SectionKey } from "./catalog.js";
import { isJsonObject, parseFields } from "./fields.js";

/** Throws on unknown sections and on fields a section lacks or mistypes: both are mistakes in a test. */
export function initialSettings(seed: SeedProxy, where: string): Record<SectionKey, Settings> {
  for (const key of Object.keys(seed.settings ?? {})) {
    if (!isSectionKey(key)) throw new Error(`${where}: settings names unknown section ${key}`);
  }
  const entries = SECTIONS.map((section) => {
    let settings: Settings = section.defaults();
    for (const part of [section.key === "mtls" ? seed.mtls : undefined, seed.settings?.[section.key]]) {
      if (part === undefined) continue;
      const parsed = isJsonObject(part)
        ? parseFields(section.fields, part)
        : { ok: false as const, message: "must be an object" };
      if (!parsed.ok) throw new Error(`${where}: settings.${section.key}: ${parsed.message}`);
      settings = { ...settings, ...parsed.value };
    }
    return [section.key, settings] as const;
  });
  return Object.fromEntries(entries) as Record<SectionKey, Settings>;
}

/** Zero saved PATCHes in every section. */
export function noPatches(): Record<SectionKey, number> {
  return Object.fromEntries(SECTIONS.map((section) => [section.key, 0])) as Record<SectionKey, number>;
}
