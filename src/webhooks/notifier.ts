import { randomUUID } from "node:crypto";
import type { WebhookConfig, WebhookEvent } from "../config/webhooks-file.js";
import type { Queues } from "../queue/queues.js";

/** Delivery attempts: about four minutes of retries at the default 2 s backoff. */
export const WEBHOOK_ATTEMPTS = 8;

/**
 * Sends `event` to every webhook subscribed to it: the body is `{event, occurredAt, ...payload}`;
 * resolves once the deliveries are queued (not delivered), with how many there are. `source`
 * names what caused it (an outbox event): queuing the same source twice delivers once.
 */
export type Notify = (
  event: WebhookEvent,
  payload: Record<string, unknown>,
  source?: { id: string; occurredAt: Date },
) => Promise<number>;

/** Delivery ids are kept this long after delivery, so a re-queued duplicate is recognised. */
const KEEP_DELIVERED_SECONDS = 24 * 3600;

export interface Notifier {
  notify: Notify;
  /** Whether any webhook listens for `event` (so callers skip building its payload). */
  wants(event: WebhookEvent): boolean;
}

export function notifier(deps: {
  webhooks: readonly WebhookConfig[];
  queues: Queues;
  backoffMs: number;
}): Notifier {
  const subscribers = (event: WebhookEvent) => deps.webhooks.filter((w) => w.events.has(event));
  return {
    wants: (event) => subscribers(event).length > 0,
    async notify(event, payload, source) {
      const targets = subscribers(event);
      if (targets.length === 0) return 0;
      const occurredAt = (source?.occurredAt ?? new Date()).toISOString();
      const body = JSON.stringify({ event, occurredAt, ...payload });
      await Promise.all(
        targets.map((webhook) =>
          deps.queues.webhooks.add(
            event,
            { webhook: webhook.name, event, body },
            {
              // Also the delivery id receivers see, so they can drop a retried duplicate.
              // Signatures cover `id.timestamp.body`, so ids hold no dot (names cannot hold "~").
              jobId:
                source === undefined ? randomUUID() : `${source.id}-${webhook.name.replaceAll(".", "~")}`,
              attempts: WEBHOOK_ATTEMPTS,
              backoff: { type: "exponential", delay: deps.backoffMs, jitter: 0.2 },
              removeOnComplete: { age: KEEP_DELIVERED_SECONDS },
              removeOnFail: { count: 1000 },
            },
          ),
        ),
      );
      return targets.length;
    },
  };
}
