import { Queue, type QueueOptions } from "bullmq";
import type { RedisClient } from "../store/redis-client.js";
import {
  CONTROL_QUEUE,
  type RolloutJobData,
  type TargetJobData,
  targetQueueName,
  WEBHOOK_QUEUE,
  type WebhookJobData,
} from "./queue-names.js";

/** The BullMQ queues of one deployment (one prefix), shared by API and worker code. */
export class Queues {
  readonly control: Queue<RolloutJobData>;
  /** Attempts and backoff are set per delivery, from the configuration. */
  readonly webhooks: Queue<WebhookJobData>;
  private readonly targetQueues = new Map<string, Queue<TargetJobData>>();

  constructor(
    connection: RedisClient,
    readonly prefix: string,
    gateways: Iterable<string>,
  ) {
    const options: QueueOptions = {
      connection,
      prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } },
    };
    this.control = new Queue(CONTROL_QUEUE, {
      ...options,
      defaultJobOptions: {
        ...options.defaultJobOptions,
        attempts: 5,
        backoff: { type: "exponential", delay: 1000 },
      },
    });
    this.webhooks = new Queue(WEBHOOK_QUEUE, options);
    for (const gateway of gateways) {
      this.targetQueues.set(
        gateway,
        new Queue(targetQueueName(gateway), {
          ...options,
          // Results live in the rollout's own record, so BullMQ keeps no history of its own.
          defaultJobOptions: {
            removeOnComplete: true,
            removeOnFail: true,
            attempts: 5,
            backoff: { type: "exponential", delay: 2000 },
          },
        }),
      );
    }
    // Connection errors are logged once per outage by the connection itself (redis-connections.ts);
    // without a listener BullMQ would print each one to stderr.
    for (const queue of this.all()) queue.on("error", () => {});
  }

  targets(gateway: string): Queue<TargetJobData> {
    const queue = this.targetQueues.get(gateway);
    if (queue === undefined) throw new Error(`no queue for gateway ${gateway}`);
    return queue;
  }

  all(): Queue[] {
    return [this.control, this.webhooks, ...this.targetQueues.values()] as Queue[];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
  }
}
