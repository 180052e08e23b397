// The gateways file (ENFORCER_GATEWAYS_FILE): several named managers, each with its own settings.
import { z } from "zod";
import type { GatewayConfig } from "../gateway/types.js";
import { type AdaptiveEnv, adaptiveFileFields, adaptiveOf } from "./adaptive-rate.js";
import { readConfigFile, resolveSecret } from "./config-file.js";
import { deployStatusSchema, deployStyleSchema } from "./gateway-deploy.js";
import { dialectOf, generationSchema, storeFieldsSchema } from "./gateway-dialect.js";
import { ConfigError } from "./secrets.js";

export const positiveInt = z.coerce.number().int().positive();
export const GATEWAY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const gatewayFileSchema = z.object({
  gateways: z
    .array(
      z
        .object({
          name: z.string().regex(GATEWAY_NAME, "letters, digits, _ and - (no ':')"),
          baseUrl: z.url({ protocol: /^https?$/ }),
          tokenEnv: z.string().min(1).optional(),
          tokenFile: z.string().min(1).optional(),
          rateLimitPerSecond: positiveInt.optional(),
          ...adaptiveFileFields,
          concurrency: positiveInt.optional(),
          timeoutMs: positiveInt.optional(),
          listTimeoutMs: positiveInt
            .optional()
            .describe(
              "Timeout of one listing call (a whole project in one body); default 4 × timeoutMs, at least 60 s",
            ),
          deployStyle: deployStyleSchema,
          deployStatus: deployStatusSchema,
          readBack: z.enum(["none", "full"]).default("none"),
          generation: generationSchema,
          storeFields: storeFieldsSchema,
          outageFailures: positiveInt.optional(),
          outageWindowSeconds: positiveInt.optional(),
          autoResume: z.boolean().optional(),
          targetsPerJob: positiveInt
            .max(100)
            .default(1)
            .describe(
              "Targets one BullMQ job carries (1: a job per proxy); each proxy is still sent, retried and limited on its own",
            ),
        })
        .strict()
        .refine((g) => (g.tokenEnv === undefined) !== (g.tokenFile === undefined), {
          message: "exactly one of tokenEnv or tokenFile",
        }),
    )
    .min(1),
});

/** A listing's body grows with the project: a call timeout sized for a PATCH would cut it. */
export const listTimeout = (timeoutMs: number) => Math.max(60_000, 4 * timeoutMs);

/** What a gateway of the file does not say itself: the environment's settings. */
export type GatewayDefaults = Pick<
  GatewayConfig,
  | "rateLimitPerSecond"
  | "timeoutMs"
  | "connections"
  | "maxTargets"
  | "outageFailures"
  | "outageWindowMs"
  | "autoResume"
>;

export function loadGatewaysFile(
  env: NodeJS.ProcessEnv,
  file: string,
  defaults: GatewayDefaults,
  /** The parsed environment: the adaptive rate's defaults. */
  adaptiveDefaults: AdaptiveEnv,
): GatewayConfig[] {
  const { gateways } = readConfigFile(file, gatewayFileSchema, "ENFORCER_GATEWAYS_FILE");
  return gateways.map((g) => {
    const { secret: token, where } = resolveSecret(
      { env: g.tokenEnv, file: g.tokenFile },
      env,
      "ENFORCER_GATEWAYS_FILE",
    );
    if (!token) throw new ConfigError("ENFORCER_GATEWAYS_FILE", `gateway ${g.name}: no token in ${where}`);
    return {
      name: g.name,
      baseUrl: g.baseUrl,
      token,
      rateLimitPerSecond: g.rateLimitPerSecond ?? defaults.rateLimitPerSecond,
      adaptive: adaptiveOf(
        g.name,
        g.rateLimitPerSecond ?? defaults.rateLimitPerSecond,
        adaptiveDefaults,
        g,
        "ENFORCER_GATEWAYS_FILE",
      ),
      concurrency: g.concurrency,
      timeoutMs: g.timeoutMs ?? defaults.timeoutMs,
      listTimeoutMs: g.listTimeoutMs ?? listTimeout(g.timeoutMs ?? defaults.timeoutMs),
      deployStyle: g.deployStyle,
      deployStatus: g.deployStatus,
      dialect: dialectOf(g.generation, g.storeFields),
      readBack: g.readBack,
      targetsPerJob: g.targetsPerJob,
      outageFailures: g.outageFailures ?? defaults.outageFailures,
      outageWindowMs:
        g.outageWindowSeconds === undefined ? defaults.outageWindowMs : g.outageWindowSeconds * 1000,
      autoResume: g.autoResume ?? defaults.autoResume,
      connections: Math.min(defaults.connections, g.concurrency ?? defaults.connections),
      maxTargets: defaults.maxTargets,
    };
  });
}
