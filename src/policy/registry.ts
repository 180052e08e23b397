// Every settings section the service can enforce, in the order a target's PATCHes are sent.
import { z } from "zod";
import type { SectionDefinition, Settings } from "./section.js";
import { circuitBreakerSection } from "./sections/circuit-breaker.js";
import { connectionSection } from "./sections/connection.js";
import { corsSection } from "./sections/cors.js";
import { forwardedIpHeaderSection } from "./sections/forwarded-ip-header.js";
import { mtlsSection } from "./sections/mtls.js";
import { trafficLogSection } from "./sections/traffic-log.js";

export const SECTIONS: readonly SectionDefinition[] = [
  mtlsSection,
  corsSection,
  connectionSection,
  circuitBreakerSection,
  trafficLogSection,
  forwardedIpHeaderSection,
];

const BY_KEY = new Map(SECTIONS.map((section) => [section.key, section]));

/** A policy: one settings body per section key. */
export type Policy = Record<string, Settings>;

export const policySchema = z
  .object(Object.fromEntries(SECTIONS.map((s) => [s.key, s.schema.optional()])))
  .strict()
  .refine(
    (policy) => Object.keys(policy).length > 0,
    `give at least one section: ${SECTIONS.map((s) => s.key).join(", ")}`,
  )
  .describe(
    "Settings sections, each the body of one PATCH .../settings/<segment>/ of the manager",
  ) as unknown as z.ZodType<Policy>;

/** Types newer managers call AI proxies; they refuse some sections. */
const AI_TYPES = new Set(["AI", "MCP", "A2A"]);

/** The policy's sections in sending order, with the settings each asks for. */
export function sectionsOf(policy: Policy): Array<{ section: SectionDefinition; settings: Settings }> {
  return SECTIONS.flatMap((section) => {
    const settings = policy[section.key];
    return settings === undefined ? [] : [{ section, settings }];
  });
}

/** Whether a section applies to a proxy of this type (an unknown type: yes). */
export function appliesTo(section: SectionDefinition, proxyType: string | undefined): boolean {
  return section.appliesToAiProxies || proxyType === undefined || !AI_TYPES.has(proxyType.toUpperCase());
}

/** The policy's sections that do not apply to a proxy of this type (for a reason). */
export function sectionsNotFor(policy: Policy, proxyType: string | undefined): SectionDefinition[] {
  return sectionsOf(policy)
    .map(({ section }) => section)
    .filter((section) => !appliesTo(section, proxyType));
}

export function sectionByKey(key: string): SectionDefinition | undefined {
  return BY_KEY.get(key);
}
