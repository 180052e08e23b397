// What the service knows of one settings section: its request schema, where it goes on the
// manager, which proxies it applies to, how each manager generation spells it, and its lint rules.
import { z } from "zod";
import type { Dialect } from "../gateway/types.js";

export type Settings = Record<string, unknown>;

/** A lint finding about one field of a section (the path is completed by the caller). */
export interface SectionFinding {
  code: string;
  field: string;
  message: string;
}

export interface SectionDefinition {
  /** The key under `policy` (camelCase). */
  key: string;
  /** The URL segment of `PATCH .../settings/<segment>/`. */
  segment: string;
  /** For messages: "mTLS", "CORS", ... */
  label: string;
  /** Newer managers answer 400 to some sections on AI-type proxies (AI, MCP, A2A). */
  appliesToAiProxies: boolean;
  /** Strict: unknown fields are refused. Fields may hold constraints (constraints.ts). */
  schema: z.ZodType<Settings>;
  /** Newer managers' wrapper object around the fields, if any. */
  wrapper?: string;
  /** One spelling for fields a generation names differently, so read-backs compare to policies. */
  canonical?(settings: Settings): Settings;
  /** The gateway's spelling of canonical fields. */
  toDialect?(settings: Settings, dialect: Dialect): Settings;
  /** Findings on a policy's section as given (constraints included). */
  lint(settings: Settings): SectionFinding[];
}

/** The lint helpers sections share. */
export const finding = (code: string, field: string, message: string): SectionFinding => ({
  code,
  field,
  message,
});

/** A section's body: strict (an unknown field is refused) and never empty. */
export const sectionBody = <Shape extends z.ZodRawShape>(shape: Shape, label: string) =>
  z
    .object(shape)
    .strict()
    .refine((settings) => Object.keys(settings).length > 0, `give at least one ${label} setting`);
