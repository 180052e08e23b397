import { UnrecoverableError } from "bullmq";
import { type Dispatcher, request } from "undici";
import type { WebhookConfig } from "../config/webhooks-file.js";
import { signature } from "./signature.js";

/** Worth another attempt: the receiver is overloaded, down or slow. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export interface Delivery {
  id: string;
  event: string;
  body: string;
}

/**
 * POSTs one delivery. Resolves on 2xx; throws a plain Error where a retry may help (network,
 * timeout, 408, 429, 5xx) and UnrecoverableError otherwise. Error messages never carry the URL
 * (it may hold a token) because BullMQ keeps them in Redis.
 */
export async function deliver(
  webhook: WebhookConfig,
  delivery: Delivery,
  dispatcher: Dispatcher,
): Promise<number> {
  let status: number;
  try {
    const res = await request(webhook.url, {
      method: "POST",
      dispatcher,
      headers: {
        "content-type": "application/json",
        "user-agent": "apinizer-policy-enforcer",
        "x-enforcer-event": delivery.event,
        "x-enforcer-delivery": delivery.id,
        "x-enforcer-signature": signature(webhook.secret, delivery.body),
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
