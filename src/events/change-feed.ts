import type { Logger } from "pino";

/** A rollout status change, as the process that made it saw it. */
export interface RolloutChange {
  rolloutId: string;
  status: string;
  detail?: string | undefined;
  /** Who asked for it (a caller's name, `schedule:<name>`); absent when the rollout moved by itself. */
  actor?: string;
  /** The operator action behind it: create, pause, resume, cancel, retry, revert. */
  action?: string;
}

export type ChangeListener = (change: RolloutChange) => void | Promise<void>;

/**
 * Fan-out of rollout status changes inside one process: logs, metrics, audit trail and webhooks
 * subscribe here. A failing listener is logged and never disturbs the rollout that changed.
 */
export class ChangeFeed {
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly log: Logger) {}

  on(listener: ChangeListener): this {
    this.listeners.push(listener);
    return this;
  }

  emit = (change: RolloutChange): void => {
    for (const listener of this.listeners) {
      Promise.resolve()
        .then(() => listener(change))
        .catch((err: unknown) => this.log.error({ err, ...change }, "rollout change listener failed"));
    }
  };
}
