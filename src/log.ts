import pino, { type DestinationStream, type Logger } from "pino";

/** JSON logs (to stdout unless `destination`); anything that could carry a secret is redacted wherever it appears. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
        "config.redis",
        // ioredis errors carry the failed command: AUTH's (and HELLO's) arguments are the Redis password.
        "err.command.args",
        "*.err.command.args",
      ],
      censor: "[redacted]",
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
