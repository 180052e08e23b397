// Each queue's name is its own hash tag: BullMQ's scripts touch the keys of one queue at a time,
// so on Redis Cluster every queue lives in one slot and different queues (gateways) spread apart.
// Its keys are `<prefix>:{<name>}:...`; BullMQ refuses ':' in a name, braces it takes.

/** Planning, wave advances and the reconciler: rollout-level work, cheap and gateway-independent. */
export const CONTROL_QUEUE = "{control}";

/**
 * One target queue per gateway, so BullMQ's queue-wide rate limit and global concurrency are
 * exactly a gateway's limits, and a 429 from one manager slows only its own queue.
 */
export const targetQueueName = (gateway: string): string => `{targets-${gateway}}`;

/** Webhook deliveries: one job per (webhook, event), retried apart from any rollout. */
export const WEBHOOK_QUEUE = "{webhooks}";

/** A queue's name without its hash tag's braces, as metrics and logs show it. */
export const queueLabel = (name: string): string => name.replace(/^\{(.*)\}$/, "$1");

/**
 * The start of a gateway's limiter keys (gateway-limiter.ts, adaptive-rate.ts): in the slot of
 * the gateway's target queue, whose meta hash the adaptive rate script writes in the same step.
 */
export const gatewayKeyPrefix = (prefix: string, gateway: string): string =>
  `${prefix}:gateway:${targetQueueName(gateway)}`;

export const JOB = {
  plan: "plan",
  advance: "advance",
  reconcile: "reconcile",
  prune: "prune",
  target: "target",
  sweep: "sweep",
} as const;

/** One target of a job, with what the job needs to send it (it reads nothing first). */
export interface JobTarget {
  /** target index */
  i: number;
  /** project */
  p: string;
  /** proxy name */
  n: string;
  /** HTTP attempts of the target's earlier runs (and of this job's earlier attempts) */
  a: number;
  /** A revert's target: the settings to write back (JSON text). */
  v?: string;
  /** The proxy's type, when some section of the policy does not apply to it */
  k?: string;
}

/** A target job: one target (the default), or up to the gateway's `targetsPerJob` in batch mode. */
export interface TargetJobData {
  /** rollout id */
  r: string;
  t: JobTarget[];
}

/** A delivery names its webhook; url and secret stay in the configuration, out of Redis. */
export interface WebhookJobData {
  webhook: string;
  event: string;
  /** The exact bytes signed and sent on every attempt. */
  body: string;
}

export interface RolloutJobData {
  rolloutId: string;
  wave?: number;
  /** Sweep jobs (rolloutId ""): the schedule that fired. */
  schedule?: string;
}

/**
 * Deterministic ids: re-adding an existing one is a no-op, so every fan-out can be repeated.
 * Target jobs get theirs from the engine's offer step (`<rollout>.<offer>.<index>`).
 */
export const jobIds = {
  plan: (rolloutId: string) => `plan.${rolloutId}`,
  advance: (rolloutId: string, wave: number) => `advance.${rolloutId}.${wave}`,
  /** BullMQ job scheduler of a compliance sweep (its jobs are `repeat:sweep.<name>:<slot ms>`). */
  sweepScheduler: (schedule: string) => `sweep.${schedule}`,
};

/** The backoff type of plan jobs: the control worker's own strategy (workers.ts). */
export const PLANNING_BACKOFF = "planning";
