import { z } from "zod";
import { readConfigFile, resolveSecret } from "./config-file.js";
import { ConfigError } from "./secrets.js";

const VARIABLE = "ENFORCER_WEBHOOKS_FILE";

export const WEBHOOK_EVENTS = [
  "rollout.paused",
  "rollout.failed",
  "rollout.succeeded",
  "rollout.cancelled",
  "schedule.skipped",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookConfig {
  /** The only thing job data holds: the worker looks url and secret up by it. */
  name: string;
  url: string;
  events: ReadonlySet<WebhookEvent>;
  secret: string;
}

/** Short enough to guess is worse than none: receivers trust a valid signature. */
const MIN_SECRET_LENGTH = 16;

const fileSchema = z
  .object({
    webhooks: z.array(
      z
        .object({
          // Job ids and log lines carry the name: no ':' (BullMQ's key separator).
          name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "letters, digits, _ . and - (no ':')"),
          url: z.url({ protocol: /^https?$/ }),
          events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
          secret: z.string().optional(),
          secretEnv: z.string().min(1).optional(),
          secretFile: z.string().min(1).optional(),
        })
        .strict()
        .refine((w) => [w.secret, w.secretEnv, w.secretFile].filter((s) => s !== undefined).length === 1, {
          message: "exactly one of secret, secretEnv or secretFile",
        }),
    ),
  })
  .strict();

/** Reads and checks the webhooks file at start-up; every error names ENFORCER_WEBHOOKS_FILE. */
export function loadWebhooksFile(env: NodeJS.ProcessEnv, file: string): WebhookConfig[] {
  const { webhooks } = readConfigFile(file, fileSchema, VARIABLE);
  const seen = new Set<string>();
  return webhooks.map((w) => {
    if (seen.has(w.name)) throw new ConfigError(VARIABLE, `webhook ${w.name} is defined twice`);
    seen.add(w.name);
    const { secret, where } = resolveSecret(
      { value: w.secret, env: w.secretEnv, file: w.secretFile },
      env,
      VARIABLE,
    );
    if (!secret || secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        VARIABLE,
        `webhook ${w.name}: the secret (${where}) must be at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    return { name: w.name, url: w.url, events: new Set(w.events), secret };
  });
}
