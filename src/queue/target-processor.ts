import { type Job, Worker } from "bullmq";
import type { Logger } from "pino";
import type { RolloutChange } from "../events/change-feed.js";
import type { ApinizerClient } from "../gateway/client.js";
import { GatewayError } from "../gateway/errors.js";
import type { GatewayConfig } from "../gateway/types.js";
import { GATEWAY_AUTH_PAUSE } from "../rollouts/lifecycle.js";
import type { Finish, RolloutStore } from "../store/rollout-store.js";
import type { Dispatcher } from "./dispatcher.js";
import { applyPolicy } from "./policy-step.js";
import type { TargetJobData } from "./queue-names.js";
import type { SpecCache } from "./spec-cache.js";

/** A target rate-limited this many times in a row fails rather than waiting forever. */
const MAX_RATE_LIMITED_STARTS = 50;

export interface TargetProcessorDeps {
  store: RolloutStore;
  specs: SpecCache;
  dispatcher: Dispatcher;
  clients: ReadonlyMap<string, ApinizerClient>;
  gateways: ReadonlyMap<string, GatewayConfig>;
  log: Logger;
  onOutcome: (outcome: string) => void;
  onChange: (change: RolloutChange) => void;
  /** The worker of this queue, for queue-wide rate limiting on 429. */
  worker: () => Worker;
}

/**
 * What one target job does: claim the target (skipped if the rollout is not running or the target
 * is already settled, so a job that runs twice sends nothing twice), PATCH the manager, record the
 * result, and move the rollout on.
 */
export function targetProcessor(deps: TargetProcessorDeps) {
  return async (job: Job<TargetJobData>, _token?: string, signal?: AbortSignal): Promise<void> => {
    const { r: rolloutId, i: index } = job.data;
    const jobId = job.id ?? "";
    const claim = await deps.store.claim(rolloutId, index, jobId);
    if (!claim.go) return;

    const settle = async (finish: Finish) => {
      const transition = await deps.store.finish(rolloutId, index, jobId, finish);
      if (transition.changed && finish.status !== "running" && finish.status !== "pending") {
        deps.onOutcome(finish.status);
      }
      if (transition.next === "paused")
        deps.onChange({ rolloutId, status: "paused", detail: transition.detail });
      else if (transition.next === "wave_done")
        await deps.dispatcher.waveDone(rolloutId, Number(transition.detail));
    };

    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const spec = await deps.specs.get(rolloutId);
    const gateway = spec && deps.gateways.get(spec.gateway);
    const client = spec && deps.clients.get(spec.gateway);
    if (spec === undefined || client === undefined || gateway === undefined) {
      await settle({
        status: "failed",
        attempts: 0,
        message: `gateway ${spec?.gateway ?? "?"} is not configured on this worker`,
      });
      return;
    }

    try {
      const outcome = await applyPolicy(client, gateway, spec, claim, {
        rateLimited: "throw",
        ...(signal ? { signal } : {}),
      });
      await settle(outcome);
    } catch (error) {
      if (!(error instanceof GatewayError)) {
        deps.log.error({ err: error, rolloutId, index }, "target processing failed unexpectedly");
        if (lastAttempt)
          await settle({ status: "failed", attempts: 0, message: "internal error in the worker" });
        throw error;
      }
      const failure = {
        attempts: error.attempts,
        httpStatus: error.httpStatus,
        message: error.gatewayMessage,
      };
      switch (error.kind) {
        case "permanent":
          await settle({ status: "failed", ...failure });
          return;
        case "auth":
          // The token is bad: every other target would fail the same way. Hand this one back and pause.
          await settle({ status: "pending", ...failure, pauseReason: GATEWAY_AUTH_PAUSE });
          return;
        case "rate-limited":
          if (job.attemptsStarted >= MAX_RATE_LIMITED_STARTS) {
            await settle({ status: "failed", ...failure });
            return;
          }
          await settle({ status: "running", ...failure });
          // The whole gateway queue waits, not only this job; this does not use up an attempt.
          await deps.worker().rateLimit(error.retryAfterMs ?? 1000);
          throw Worker.RateLimitError();
        case "retryable":
          await settle({ status: lastAttempt ? "failed" : "running", ...failure });
          if (!lastAttempt) throw error;
      }
    }
  };
}
