import { type Job, Worker } from "bullmq";
import type { Logger } from "pino";
import type { AfterTargets, FinishItem, RolloutEngine } from "../engine/engine.js";
import { GATEWAY_AUTH_PAUSE } from "../engine/lifecycle.js";
import type { ApinizerClient } from "../gateway/client.js";
import { GatewayError } from "../gateway/errors.js";
import type { GatewayConfig } from "../gateway/types.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Dispatcher } from "./dispatcher.js";
import type { GatewayLimiter } from "./gateway-limiter.js";
import { GroupCommit } from "./group-commit.js";
import type { OutageBreaker } from "./outage-breaker.js";
import { applyPolicy, type StepOutcome } from "./policy-step.js";
import type { JobTarget, TargetJobData } from "./queue-names.js";
import type { Semaphore } from "./semaphore.js";
import type { SpecCache } from "./spec-cache.js";
import type { StatusCache } from "./status-cache.js";

/** A target rate-limited this many times in a row fails rather than waiting forever. */
const MAX_RATE_LIMITED_STARTS = 50;

export interface TargetProcessorDeps {
  engine: RolloutEngine;
  store: RolloutStore;
  specs: SpecCache;
  statuses: StatusCache;
  dispatcher: Dispatcher;
  clients: ReadonlyMap<string, ApinizerClient>;
  gateways: ReadonlyMap<string, GatewayConfig>;
  log: Logger;
  /** Aborted when the process must stop now: in-flight calls end, nothing is recorded. */
  shutdown: AbortSignal;
  /** Tells when a gateway is down: its calls stop and their targets go back to pending. */
  breaker: OutageBreaker;
  /** The worker of this queue, for queue-wide rate limiting on 429. */
  worker: () => Worker;
  /** Batch mode: the gateway's limiter shared by every process, and this process's call slots. */
  batch?: { limiter: GatewayLimiter; slots: Semaphore };
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
  if (o.changes !== undefined) outcome.d = o.changes;
  if (o.drift !== undefined) outcome.y = o.drift;
  return outcome;
};

/** A target handed back because its gateway is down pauses its rollout (in the same finish step). */
const outagePause = (down: AbortSignal) =>
  down.aborted ? { pauseReason: (down.reason as Error).message } : {};

/** How one target of a job ended: recorded, or to be sent again. */
type TargetRun =
  | { kind: "settled" }
  | { kind: "again"; target: JobTarget; error: GatewayError; rateLimited: boolean };

/**
 * What a target job does, for each target it carries: check the rollout still runs (a status
 * read at most a second old, so a pause stops new calls within a second), PATCH the manager,
 * record the result, and move the rollout on. Finishes of one rollout's jobs are group-committed
 * (one script call per batch); a job that no longer holds its target records nothing.
 *
 * A job of one target (the default) leaves rate, concurrency and retries to BullMQ. A batch job
 * (the gateway's `targetsPerJob`) sends its targets side by side, each through this process's
 * call slots and the gateway's shared limiter, and re-queues only the targets that need it.
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
    const jobId = job.id ?? "";
    const { r: rolloutId } = job.data;
    // A job run again (its worker died, or it is retried) skips the targets it already finished.
    const held =
      job.attemptsStarted > 1
        ? await deps.store.heldBy(
            rolloutId,
            jobId,
            job.data.t.map((t) => t.i),
          )
        : undefined;
    const targets = held ? job.data.t.filter((t) => held.has(t.i)) : job.data.t;
    const settle = (target: JobTarget, s: Omit<Settle, "index" | "jobId">) =>
      finishes.add(rolloutId, { index: target.i, jobId, ...s });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const spec = await deps.specs.get(rolloutId);
    const gateway = spec && deps.gateways.get(spec.gateway);
    const client = spec && deps.clients.get(spec.gateway);
    if (spec === undefined || client === undefined || gateway === undefined) {
      const message = `gateway ${spec?.gateway ?? "?"} is not configured on this worker`;
      await Promise.all(
        targets.map((t) => settle(t, { to: "failed", outcome: outcomeOf(t.a, { message }) })),
      );
      return;
    }
    const down = deps.breaker.signal(gateway.name);
    const aborts = AbortSignal.any(signal ? [signal, deps.shutdown, down] : [deps.shutdown, down]);
    const retry = (error: GatewayError) => ({ gateway: gateway.name, reason: error.code });

    /** One target: send it, record how it ended, or say it must be sent again. */
    const run = async (target: JobTarget): Promise<TargetRun> => {
      // Paused or cancelled meanwhile, or the gateway is down: send nothing, hand the target back
      // (cancelled with its rollout).
      if (down.aborted || (await deps.statuses.get(rolloutId)) !== "running") {
        await settle(target, { to: "pending", ...outagePause(down) });
        return { kind: "settled" };
      }
      const send = () =>
        applyPolicy(
          client,
          gateway,
          spec,
          {
            project: target.p,
            proxy: target.n,
            before: target.v ?? "",
            ...(target.k ? { type: target.k } : {}),
          },
          {
            rateLimited: "throw",
            signal: aborts,
          },
        );
      try {
        const outcome = await (deps.batch ? deps.batch.limiter.run(send, aborts) : send());
        await settle(target, {
          to: outcome.status,
          outcome: outcomeOf(target.a + outcome.attempts, outcome),
        });
        return { kind: "settled" };
      } catch (error) {
        // Stopping: leave the target held; BullMQ hands the job on once its lock expires.
        if (deps.shutdown.aborted) throw error;
        // The gateway went down during the call: its rollout is being paused; the target waits.
        if (down.aborted) {
          await settle(target, { to: "pending", ...outagePause(down) });
          return { kind: "settled" };
        }
        if (!(error instanceof GatewayError)) {
          deps.log.error({ err: error, rolloutId, index: target.i }, "target processing failed unexpectedly");
          if (!lastAttempt) throw error;
          await settle(target, {
            to: "failed",
            outcome: outcomeOf(target.a, { message: "internal error in the worker" }),
          });
          return { kind: "settled" };
        }
        const attempts = target.a + error.attempts;
        const message = error.section
          ? `${error.section} settings: ${error.gatewayMessage}`
          : error.gatewayMessage;
        const outcome = outcomeOf(attempts, { httpStatus: error.httpStatus, message });
        const again = { kind: "again" as const, target: { ...target, a: attempts }, error };
        switch (error.kind) {
          case "permanent":
            await settle(target, { to: "failed", outcome });
            return { kind: "settled" };
          case "auth":
            // The token is bad: every other target would fail the same way. Hand this one back and pause.
            await settle(target, { to: "pending", outcome, pauseReason: GATEWAY_AUTH_PAUSE });
            return { kind: "settled" };
          case "rate-limited":
            if (Math.max(job.attemptsStarted, attempts) >= MAX_RATE_LIMITED_STARTS) {
              await settle(target, { to: "failed", outcome });
              return { kind: "settled" };
            }
            return { ...again, rateLimited: true };
          case "retryable":
            if (lastAttempt) {
              await settle(target, { to: "failed", outcome });
              return { kind: "settled" };
            }
            return { ...again, rateLimited: false };
        }
      }
    };

    if (deps.batch === undefined) {
      const [target] = targets;
      if (target === undefined) return;
      const result = await run(target);
      if (result.kind === "settled") return;
      // The job runs again, knowing the attempts made so far; a 429 holds the whole gateway queue.
      await settle(target, { to: "running", retry: retry(result.error) });
      await job.updateData({ r: rolloutId, t: [result.target] });
      if (!result.rateLimited) throw result.error;
      await deps.worker().rateLimit(result.error.retryAfterMs ?? 1000);
      throw Worker.RateLimitError();
    }

    // Batch: every target in its own call slot; a 429 holds the gateway and sends that target again.
    const { limiter, slots } = deps.batch;
    const later: JobTarget[] = [];
    await Promise.all(
      targets.map(async (first) => {
        let target = first;
        for (;;) {
          const result = await slots.use(() => run(target));
          if (result.kind === "settled") return;
          await settle(target, { to: "running", retry: retry(result.error) });
          target = result.target;
          if (!result.rateLimited) {
            later.push(target);
            return;
          }
          await limiter.pause(result.error.retryAfterMs ?? 1000);
        }
      }),
    );
    if (later.length === 0) return;
    // Only the targets that need it run again, after BullMQ's backoff.
    await job.updateData({ r: rolloutId, t: later });
    throw new Error(`${later.length} of ${targets.length} targets will be sent again`);
  };
}
