import { type Job, Worker } from "bullmq";
import type { Logger } from "pino";
import type { AfterTargets, FinishItem, RolloutEngine } from "../engine/engine.js";
import { GATEWAY_AUTH_PAUSE } from "../engine/lifecycle.js";
import type { ApinizerClient } from "../gateway/client.js";
import { GatewayError } from "../gateway/errors.js";
import type { GatewayConfig } from "../gateway/types.js";
import type { Dispatcher } from "./dispatcher.js";
import { GroupCommit } from "./group-commit.js";
import { applyPolicy, type StepOutcome } from "./policy-step.js";
import type { TargetJobData } from "./queue-names.js";
import type { SpecCache } from "./spec-cache.js";
import type { StatusCache } from "./status-cache.js";

/** A target rate-limited this many times in a row fails rather than waiting forever. */
const MAX_RATE_LIMITED_STARTS = 50;

export interface TargetProcessorDeps {
  engine: RolloutEngine;
  specs: SpecCache;
  statuses: StatusCache;
  dispatcher: Dispatcher;
  clients: ReadonlyMap<string, ApinizerClient>;
  gateways: ReadonlyMap<string, GatewayConfig>;
  log: Logger;
  /** Aborted when the process must stop now: in-flight calls end, nothing is recorded. */
  shutdown: AbortSignal;
  /** The worker of this queue, for queue-wide rate limiting on 429. */
  worker: () => Worker;
}

/** One job's end of its target, with what the whole finish step needs to know. */
interface Settle extends FinishItem {
  pauseReason?: string;
  retry?: { gateway: string; reason: string };
}

const outcomeOf = (attempts: number, o: Partial<StepOutcome> & { httpStatus?: number | undefined }) => {
  const outcome: NonNullable<FinishItem["outcome"]> = { a: attempts, u: Date.now() };
  if (o.httpStatus !== undefined) outcome.h = o.httpStatus;
  if (o.message !== undefined) outcome.m = o.message;
  if (o.reason !== undefined) outcome.r = o.reason;
  if (o.before !== undefined) outcome.b = o.before;
  return outcome;
};

/**
 * What a target job does: check the rollout still runs (a status read at most a second old, so
 * a pause stops new calls within a second), PATCH the manager, record the result, and move the
 * rollout on. Finishes of one rollout's jobs are group-committed (one script call per batch); a job that
 * no longer holds its target records nothing.
 */
export function targetProcessor(deps: TargetProcessorDeps) {
  const { engine, dispatcher } = deps;
  const finishes = new GroupCommit<Settle, AfterTargets>(async (rolloutId, items) => {
    const retries: Record<string, number | string> = {};
    for (const item of items) {
      if (item.retry === undefined) continue;
      retries.g = item.retry.gateway;
      retries[item.retry.reason] = Number(retries[item.retry.reason] ?? 0) + 1;
    }
    const after = await engine.finish(rolloutId, items, {
      pauseReason: items.find((i) => i.pauseReason !== undefined)?.pauseReason,
      retries: retries as Record<string, number>,
    });
    // The rollout's next move, once per step rather than once per job. A pause this step caused
    // (error budget, gateway 401) stops this process's jobs at once and takes the queued ones back.
    if (after.next === "paused") {
      deps.statuses.set(rolloutId, "paused");
      await dispatcher.recall(rolloutId);
    } else if (after.next === "wave_done") await dispatcher.waveDone(rolloutId, Number(after.detail));
    else if (after.room * 2 >= engine.options.window) await dispatcher.offer(rolloutId);
    return items.map(() => after);
  });

  return async (job: Job<TargetJobData>, _token?: string, signal?: AbortSignal): Promise<void> => {
    const { r: rolloutId, i: index, p: project, n: proxy, a: before } = job.data;
    const jobId = job.id ?? "";
    const settle = (s: Omit<Settle, "index" | "jobId">) => finishes.add(rolloutId, { index, jobId, ...s });
    // Paused or cancelled meanwhile: send nothing, hand the target back (cancelled with its rollout).
    if ((await deps.statuses.get(rolloutId)) !== "running") {
      await settle({ to: "pending" });
      return;
    }

    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const spec = await deps.specs.get(rolloutId);
    const gateway = spec && deps.gateways.get(spec.gateway);
    const client = spec && deps.clients.get(spec.gateway);
    if (spec === undefined || client === undefined || gateway === undefined) {
      await settle({
        to: "failed",
        outcome: outcomeOf(before, {
          message: `gateway ${spec?.gateway ?? "?"} is not configured on this worker`,
        }),
      });
      return;
    }

    const aborts = signal ? AbortSignal.any([signal, deps.shutdown]) : deps.shutdown;
    try {
      const outcome = await applyPolicy(
        client,
        gateway,
        spec,
        { project, proxy, before: job.data.v ?? "" },
        {
          rateLimited: "throw",
          signal: aborts,
        },
      );
      await settle({ to: outcome.status, outcome: outcomeOf(before + outcome.attempts, outcome) });
    } catch (error) {
      // Stopping: leave the target held; BullMQ hands the job on once its lock expires.
      if (deps.shutdown.aborted) throw error;
      if (!(error instanceof GatewayError)) {
        deps.log.error({ err: error, rolloutId, index }, "target processing failed unexpectedly");
        if (lastAttempt)
          await settle({
            to: "failed",
            outcome: outcomeOf(before, { message: "internal error in the worker" }),
          });
        throw error;
      }
      const attempts = before + error.attempts;
      const outcome = outcomeOf(attempts, { httpStatus: error.httpStatus, message: error.gatewayMessage });
      const retry = { gateway: gateway.name, reason: error.code };
      // The job runs again: it must know the attempts made so far.
      const again = async () => {
        await settle({ to: "running", retry });
        await job.updateData({ ...job.data, a: attempts });
      };
      switch (error.kind) {
        case "permanent":
          await settle({ to: "failed", outcome });
          return;
        case "auth":
          // The token is bad: every other target would fail the same way. Hand this one back and pause.
          await settle({ to: "pending", outcome, pauseReason: GATEWAY_AUTH_PAUSE });
          return;
        case "rate-limited":
          if (job.attemptsStarted >= MAX_RATE_LIMITED_STARTS) {
            await settle({ to: "failed", outcome });
            return;
          }
          await again();
          // The whole gateway queue waits, not only this job; this does not use up an attempt.
          await deps.worker().rateLimit(error.retryAfterMs ?? 1000);
          throw Worker.RateLimitError();
        case "retryable":
          if (lastAttempt) {
            await settle({ to: "failed", outcome });
            return;
          }
          await again();
          throw error;
      }
    }
  };
}
