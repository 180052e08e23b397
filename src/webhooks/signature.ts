import { createHmac } from "node:crypto";

/** `X-Enforcer-Signature`: receivers recompute it over the raw body with their copy of the secret. */
export const signature = (secret: string, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
