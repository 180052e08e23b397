// The adaptive request rate's settings: environment variables (defaults for every gateway) and the
// gateways file's per-gateway fields, resolved into GatewayConfig.adaptive.
import { z } from "zod";
import type { AdaptiveRateSettings } from "../gateway/types.js";
import { ConfigError } from "./secrets.js";

const cut = z.number().min(0.1).max(0.95);
const latencyFactor = z.number().refine((v) => v === 0 || v > 1, "0 (off) or above 1");

const DESCRIBE = {
  adaptive:
    "true: the gateway's request rate starts at rateLimitPerSecond, is cut on 429, 503, timeouts or a latency rise and grows back while calls succeed, shared by every worker through Redis; false: the configured rate, fixed",
  floor: "The adaptive rate is never cut below this many requests per second",
  cut: "Each cut multiplies the rate in use by this factor (at most one cut per round of about a second)",
  step: "While calls succeed the rate grows by this many requests per second, each second (default: 5 % of rateLimitPerSecond)",
  latencyFactor:
    "A recent latency above this multiple of the baseline (and 50 ms above it) is a cut signal; 0 turns the latency signal off",
};

/** Environment variables: the `default` gateway's settings and every file gateway's defaults. */
export const adaptiveEnv = {
  ENFORCER_ADAPTIVE_RATE: z.enum(["true", "false"]).default("true").describe(DESCRIBE.adaptive),
  ENFORCER_ADAPTIVE_FLOOR: z.coerce.number().positive().default(1).describe(DESCRIBE.floor),
  ENFORCER_ADAPTIVE_CUT: z.coerce.number().pipe(cut).default(0.5).describe(DESCRIBE.cut),
  ENFORCER_ADAPTIVE_STEP: z.coerce.number().positive().optional().describe(DESCRIBE.step),
  ENFORCER_ADAPTIVE_LATENCY_FACTOR: z.coerce
    .number()
    .pipe(latencyFactor)
    .default(3)
    .describe(DESCRIBE.latencyFactor),
};

/** The gateways file's fields; each falls back to its environment variable. */
export const adaptiveFileFields = {
  adaptive: z.boolean().optional().describe(DESCRIBE.adaptive),
  adaptiveFloor: z.number().positive().optional().describe(DESCRIBE.floor),
  adaptiveCut: cut.optional().describe(DESCRIBE.cut),
  adaptiveStep: z.number().positive().optional().describe(DESCRIBE.step),
  adaptiveLatencyFactor: latencyFactor.optional().describe(DESCRIBE.latencyFactor),
};

export type AdaptiveEnv = z.output<z.ZodObject<typeof adaptiveEnv>>;
type FileFields = { [K in keyof typeof adaptiveFileFields]?: z.output<(typeof adaptiveFileFields)[K]> };

/** A gateway's adaptive settings (undefined: fixed rate); throws when the floor is above the ceiling. */
export function adaptiveOf(
  gateway: string,
  ceiling: number,
  env: AdaptiveEnv,
  file: FileFields,
  variable: string,
): AdaptiveRateSettings | undefined {
  if (!(file.adaptive ?? env.ENFORCER_ADAPTIVE_RATE === "true")) return undefined;
  const floor = file.adaptiveFloor ?? env.ENFORCER_ADAPTIVE_FLOOR;
  if (floor > ceiling) {
    throw new ConfigError(
      variable,
      `gateway ${gateway}: the adaptive floor (${floor}/s) is above its rateLimitPerSecond (${ceiling}/s)`,
    );
  }
  return {
    floor,
    cut: file.adaptiveCut ?? env.ENFORCER_ADAPTIVE_CUT,
    step: file.adaptiveStep ?? env.ENFORCER_ADAPTIVE_STEP ?? Math.max(0.1, ceiling * 0.05),
    latencyFactor: file.adaptiveLatencyFactor ?? env.ENFORCER_ADAPTIVE_LATENCY_FACTOR,
  };
}
