import type { WebhookEvent } from "../config/webhooks-file.js";
import type { ChangeListener } from "../events/change-feed.js";
import { rolloutView } from "../service/rollout-view.js";
import { parseRolloutFields } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Notifier } from "./notifier.js";

const EVENT_OF: Record<string, WebhookEvent> = {
  paused: "rollout.paused",
  failed: "rollout.failed",
  succeeded: "rollout.succeeded",
  cancelled: "rollout.cancelled",
};

/**
 * Queues a webhook delivery when a rollout pauses or ends, with a snapshot of the rollout. The
 * change feed never awaits this, and delivery happens on its own queue: a dead receiver can
 * neither slow nor fail a rollout.
 */
export function webhookChanges(webhooks: Notifier, store: RolloutStore): ChangeListener {
  return async (change) => {
    const event = EVENT_OF[change.status];
    if (event === undefined || !webhooks.wants(event)) return;
    const stored = await store.get(change.rolloutId);
    if (stored === undefined) return;
    const rollout = rolloutView(change.rolloutId, parseRolloutFields(stored.fields), stored.counts);
    await webhooks.notify(event, { rollout });
  };
}
