// Every settings section the simulator serves, in route order; the one list routes, state and views read.

import { CIRCUIT_BREAKER } from "./circuit-breaker.js";
import { CONNECTION } from "./connection.js";
import { CORS } from "./cors.js";
import type { SettingsOf } from "./fields.js";
import { FORWARDED_IP_HEADER } from "./forwarded-ip-header.js";
import { MTLS } from "./mtls.js";
import type { Section } from "./section.js";
import { TRAFFIC_LOG } from "./traffic-log.js";

export const SECTIONS = [MTLS, CORS, CONNECTION, CIRCUIT_BREAKER, TRAFFIC_LOG, FORWARDED_IP_HEADER] as const;

type AnySection = (typeof SECTIONS)[number];

export type SectionKey = AnySection["key"];

/** Each section's stored settings, typed by its fields. */
export type SectionSettings = { [S in AnySection as S["key"]]: SettingsOf<S["fields"]> };

export const SECTION_KEYS = SECTIONS.map((section) => section.key);

/** A section seen generically, as handlers and state do. */
export type AnyKeyedSection = Section<SectionKey>;

export function isSectionKey(key: string): key is SectionKey {
  return (SECTION_KEYS as readonly string[]).includes(key);
}
