// What the simulator knows of one settings section: its route, body fields per generation, defaults and rules.
import type { Flavour } from "../types.js";
import type { Fields, SettingsOf } from "./fields.js";

export interface Section<K extends string = string, F extends Fields = Fields> {
  /** Names the section in state, seeds, `/full`'s `routing` and the route (`PATCH <key>`). */
  readonly key: K;
  /** `PATCH .../settings/<segment>/` */
  readonly segment: string;
  /** The body's schema in the openapi document's components.schemas (conformance tests look it up). */
  readonly schemaName: string;
  /** Every settings field either generation stores; seeds are checked against these. */
  readonly fields: F;
  /** The fields one generation's body accepts, where the generations differ. */
  fieldsIn?(flavour: Flavour): Fields;
  /** The generation whose body nests the settings under one property (deploy fields stay on top). */
  readonly wrapper?: { readonly flavour: Flavour; readonly property: string };
  /** The settings of a proxy nobody has configured this section on. */
  defaults(): SettingsOf<F>;
  /** AI-type proxies (AI, MCP, A2A) are refused with this message; absent = the section applies to them. */
  readonly aiRefusal?: string;
  /** A documented rule on the settings a save would leave behind: why they are refused, or undefined. */
  rule?(merged: SettingsOf<F>, flavour: Flavour): string | undefined;
}

/**
 * Keeps each section's literal key and field types, so state and seeds are typed per section.
 * Enum values in `defaults` need `as const`: they are typed before the fields' types are inferred.
 */
export function defineSection<const K extends string, F extends Fields>(
  section: Section<K, F>,
): Section<K, F> {
  return section;
}

export function acceptedFields(section: Section, flavour: Flavour): Fields {
  return section.fieldsIn?.(flavour) ?? section.fields;
}

/** The property this generation wraps the settings in, if it does. */
export function wrapperIn(section: Section, flavour: Flavour): string | undefined {
  return section.wrapper?.flavour === flavour ? section.wrapper.property : undefined;
}
