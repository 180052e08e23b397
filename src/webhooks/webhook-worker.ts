import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import { Agent } from "undici";
import type { WebhookConfig } from "../config/webhooks-file.js";
import { WEBHOOK_QUEUE, type WebhookJobData } from "../queue/queue-names.js";
import type { RedisClient } from "../store/redis-client.js";
import { deliver } from "./deliver.js";

/** Receivers are few and deliveries rare: a handful in flight is plenty. */
const CONCURRENCY = 4;

/** Delivers queued webhook jobs, looking each webhook's url and secret up in this process's config. */
export function webhookWorker(deps: {
  webhooks: readonly WebhookConfig[];
  timeoutMs: number;
  connection: RedisClient;
  prefix: string;
  log: Logger;
}): Worker<WebhookJobData> {
  const byName = new Map(deps.webhooks.map((w) => [w.name, w]));
  const agent = new Agent({
    connect: { timeout: deps.timeoutMs },
    headersTimeout: deps.timeoutMs,
    bodyTimeout: deps.timeoutMs,
    connections: CONCURRENCY,
  });
  const worker = new Worker<WebhookJobData>(
    WEBHOOK_QUEUE,
    async (job: Job<WebhookJobData>) => {
      const { webhook: name, event, body } = job.data;
      const fields = { webhook: name, event, delivery: job.id, attempt: job.attemptsMade + 1 };
      const webhook = byName.get(name);
      if (webhook === undefined) {
        deps.log.error(fields, "webhook delivery dropped: no webhook of that name is configured here");
        throw new UnrecoverableError(`webhook ${name} is not configured`);
      }
      try {
        const status = await deliver(webhook, { id: job.id ?? "", event, body }, agent);
        deps.log.info({ ...fields, status }, "webhook delivered");
      } catch (error) {
        deps.log.warn({ ...fields, reason: (error as Error).message }, "webhook delivery failed");
        throw error;
      }
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: CONCURRENCY },
  );
  worker.on("closed", () => void agent.close());
  return worker;
}
