// A receiver's check of a Standard Webhooks signature, written from the spec (and as
// docs/audit-and-notifications.md tells receivers to write it), independent of the service's
// signer, so a wrong signer fails the tests instead of agreeing with itself.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export const TOLERANCE_SECONDS = 5 * 60;

/** True when the delivery is authentic and its timestamp within five minutes of `now`. */
export function verifyWebhook(
  secret: string,
  headers: IncomingHttpHeaders,
  rawBody: Buffer | string,
  now = Date.now(),
): boolean {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = secret.startsWith("whsec_")
    ? Buffer.from(secret.slice("whsec_".length), "base64")
    : Buffer.from(secret, "utf8");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  return signatures.split(" ").some((entry) => {
    const [version, value] = entry.split(",");
    if (version !== "v1" || value === undefined) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
