import { createHmac } from "node:crypto";

/**
 * `webhook-signature` of the Standard Webhooks scheme (standardwebhooks.com): `v1,` and the base64
 * HMAC-SHA256 of `id.timestamp.body`. Signing the id and the attempt's timestamp with the body
 * lets a receiver refuse a captured delivery replayed later, and drop a duplicate by its id.
 */
export const webhookSignature = (key: Buffer, id: string, timestamp: number, body: string): string =>
  `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
