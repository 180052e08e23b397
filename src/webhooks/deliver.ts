import { UnrecoverableError } from "bullmq";
import { type Dispatcher, request } from "undici";
import type { WebhookConfig } from "../config/webhooks-file.js";
import { webhookSignature } from "./signature.js";

/** Worth another attempt: the receiver is overloaded, down or slow. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export interface Delivery {
  /** `webhook-id`: the same on every attempt, so receivers can drop duplicates by it. */
  id: string;
  event: string;
  body: string;
}

/**
 * POSTs one attempt of a delivery, signed as Standard Webhooks prescribes with this attempt's
 * time. Resolves on 2xx; throws a plain Error where a retry may help (network, timeout, 408, 429,
 * 5xx) and UnrecoverableError otherwise. Error messages never carry the URL (it may hold a token)
 * because BullMQ keeps them in Redis.
 */
export async function deliver(
  webhook: WebhookConfig,
  delivery: Delivery,
  dispatcher: Dispatcher,
): Promise<number> {
  // The signed text is `id.timestamp.body`: an id with a dot would make it ambiguous.
  if (delivery.id === "" || delivery.id.includes(".")) {
    throw new UnrecoverableError(`webhook ${webhook.name}: the delivery id cannot be signed`);
  }
  const timestamp = Math.floor(Date.now() / 1000);
  let status: number;
  try {
    const res = await request(webhook.url, {
      method: "POST",
      dispatcher,
      headers: {
        "content-type": "application/json",
        "user-agent": "apinizer-policy-enforcer",
        "webhook-id": delivery.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": webhookSignature(webhook.secret, delivery.id, timestamp, delivery.body),
        // Informational, as before the Standard Webhooks headers: the event, and the id again.
        "x-enforcer-event": delivery.event,
        "x-enforcer-delivery": delivery.id,
      },
      body: delivery.body,
    });
    status = res.statusCode;
    // Read to the end, or the socket never goes back to the pool.
    await res.body.dump();
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw new Error(`webhook ${webhook.name}: network error ${code}`);
  }
  if (status >= 200 && status < 300) return status;
  const message = `webhook ${webhook.name}: HTTP ${status}`;
  throw retryable(status) ? new Error(message) : new UnrecoverableError(`${message} (not retried)`);
}
