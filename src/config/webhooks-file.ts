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
  "policy.put",
  "policy.deleted",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookConfig {
  /** The only thing job data holds: the worker looks url and secret up by it. */
  name: string;
  url: string;
  events: ReadonlySet<WebhookEvent>;
  /** The HMAC key: a `whsec_` secret's base64-decoded bytes, any other secret's UTF-8 bytes. */
  secret: Buffer;
}

/** Short enough to guess is worse than none: receivers trust a valid signature. */
const MIN_SECRET_LENGTH = 16;
/** Standard Webhooks' secret format: `whsec_` and the key in base64, of at least 24 bytes. */
const STANDARD_PREFIX = "whsec_";
const MIN_STANDARD_KEY_BYTES = 24;

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

/**
 * The HMAC key of a secret. A `whsec_` secret (as Standard Webhooks tools make them) is decoded
 * from base64, strictly, so a typo fails here and not in every receiver; any other secret is used
 * as its UTF-8 bytes, as before. Errors say where the secret came from, never what it is.
 */
function signingKey(secret: string | undefined, name: string, where: string): Buffer {
  const refuse = (rule: string) =>
    new ConfigError(VARIABLE, `webhook ${name}: the secret (${where}) ${rule}`);
  if (secret?.startsWith(STANDARD_PREFIX)) {
    const encoded = secret.slice(STANDARD_PREFIX.length);
    const key = Buffer.from(encoded, "base64");
    // Buffer.from skips what is not base64; only a faithful round trip proves it all was.
    if (key.toString("base64").replace(/=+$/, "") !== encoded.replace(/=+$/, "")) {
      throw refuse(`must be base64 after ${STANDARD_PREFIX}`);
    }
    if (key.length < MIN_STANDARD_KEY_BYTES) {
      throw refuse(`must hold at least ${MIN_STANDARD_KEY_BYTES} bytes after ${STANDARD_PREFIX}`);
    }
    return key;
  }
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw refuse(`must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return Buffer.from(secret, "utf8");
}

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
    return { name: w.name, url: w.url, events: new Set(w.events), secret: signingKey(secret, w.name, where) };
  });
}
