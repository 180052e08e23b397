import pino, { type Logger } from "pino";

/** JSON logs; anything that could carry a secret is redacted wherever it appears. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "apinizer-policy-enforcer" },
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
        "token",
        "*.token",
        "secret",
        "*.secret",
        "config.gateways",
        "config.callers",
        "config.webhooks",
      ],
      censor: "[redacted]",
    },
  });
}
