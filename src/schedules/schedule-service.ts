import { setTimeout as sleep } from "node:timers/promises";
import type { Queue } from "bullmq";
import type { Caller } from "../config/config.js";
import type { RolloutJobData } from "../queue/queue-names.js";
import { parsePolicyRef } from "../rollouts/names.js";
import { assertKnownGateway } from "../service/gateway-check.js";
import { checkPolicy } from "../service/policy-check.js";
import { type PolicyReader, resolveRolloutPolicy, unknownPolicyRef } from "../service/policy-ref.js";
import { notFound, ServiceError } from "../service/service-error.js";
import { parseOrThrow } from "../service/validation.js";
import { frequencyProblem } from "./frequency.js";
import type { ScheduleRun, StoredSchedule } from "./schedule-store.js";
import { scheduleBodySchema, scheduleListQuerySchema, scheduleNameSchema } from "./schema.js";
import { fireSweep, type SweepDeps } from "./sweep.js";
import { nextSweepRun, removeSweepScheduler, upsertSweepScheduler } from "./sweep-scheduler.js";

export interface ScheduleServiceDeps extends SweepDeps {
  gateways: ReadonlyMap<string, unknown>;
  control: Queue<RolloutJobData>;
  /** ENFORCER_MAX_SCHEDULES */
  maxSchedules: number;
  /** ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS */
  minIntervalSeconds: number;
  /** Named policies, to resolve the rollout's `policyRef` as a firing would. */
  policies: PolicyReader;
  /** ENFORCER_POLICY_STRICT */
  policyStrict?: boolean;
}

const selfLink = (name: string) => `/v1/schedules/${name}`;

/** A firing holds a sweep's lock for a few Redis calls: worth waiting a moment for. */
async function waitForTurn<T>(attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let tries = 0; tries < 20; tries++) {
    const result = await attempt();
    if (result !== undefined) return result;
    await sleep(50);
  }
  return undefined;
}

/** The compliance-sweep use cases (contract §3.6), free of HTTP. */
export function scheduleService(deps: ScheduleServiceDeps) {
  const { store, control } = deps;

  // Names become Redis keys and scheduler ids: anything but a slug is refused on every route.
  const parseName = (name: string) => parseOrThrow(scheduleNameSchema, name, "schedule name", "name");

  async function load(name: string): Promise<StoredSchedule> {
    const schedule = await store.get(parseName(name));
    if (schedule === undefined) throw notFound(`schedule ${name}`);
    return schedule;
  }

  async function summary(schedule: StoredSchedule) {
    const { name, definition } = schedule;
    return {
      name,
      cron: definition.cron ?? null,
      every: definition.every ?? null,
      timezone: definition.timezone,
      // Stored before the flag existed: such a sweep was never checked against the minimum.
      allowFrequent: definition.allowFrequent ?? false,
      rollout: definition.rollout,
      createdAt: schedule.createdAt,
      createdBy: schedule.createdBy,
      updatedAt: schedule.updatedAt,
      updatedBy: schedule.updatedBy,
      nextRunAt: await nextSweepRun(control, name),
      lastRolloutId: schedule.lastRollout ?? null,
      links: { self: selfLink(name), run: `${selfLink(name)}/run` },
    };
  }

  /** A recorded firing with its rollout's current status ("skipped" when it created none). */
  async function runView(run: ScheduleRun) {
    const status =
      run.rolloutId === undefined
        ? "skipped"
        : await deps.rollouts.get(run.rolloutId).then(
            (rollout) => rollout.status,
            (error: unknown) => {
              if (error instanceof ServiceError && error.kind === "not_found") return null;
              throw error;
            },
          );
    return {
      at: run.at,
      scheduledFor: run.slot ?? null,
      requestedBy: run.by ?? null,
      rolloutId: run.rolloutId ?? null,
      status,
      reason: run.skipped ?? null,
    };
  }

  async function detail(schedule: StoredSchedule) {
    const runs = await store.runs(schedule.name);
    return { ...(await summary(schedule)), runs: await Promise.all(runs.map(runView)) };
  }

  return {
    /** Creates or replaces a sweep; its slots follow the new definition from now on. */
    async put(input: { name: string; body: unknown; caller: Caller }) {
      const name = parseName(input.name);
      const definition = parseOrThrow(scheduleBodySchema, input.body, "schedule");
      const tooFrequent = frequencyProblem(definition, deps.minIntervalSeconds);
      if (tooFrequent !== undefined) {
        throw new ServiceError("validation_failed", "schedule is invalid: it fires too often", [tooFrequent]);
      }
      assertKnownGateway(deps.gateways, definition.rollout.gateway, "rollout.gateway");
      // A sweep's rollouts would be refused at every firing: refuse the schedule now instead
      // (for a reference, as its current version stands; each firing resolves it again).
      const { policy } = await resolveRolloutPolicy(deps.policies, definition.rollout, "rollout.policyRef");
      checkPolicy(policy, definition.rollout.strict ?? deps.policyStrict ?? false, "rollout.policy");
      // Definition first: a scheduler without one fires into nothing, never the other way round.
      const { outcome, latest } = await store.put(
        name,
        definition,
        input.caller.name,
        new Date(),
        deps.maxSchedules,
      );
      const ref = definition.rollout.policyRef;
      if (ref !== undefined && (outcome === "unknown_policy" || outcome === "unknown_version")) {
        throw unknownPolicyRef(parsePolicyRef(ref), latest, "rollout.policyRef");
      }
      if (outcome === "full") {
        throw new ServiceError(
          "conflict",
          `there are ${deps.maxSchedules} schedules already, the most allowed (ENFORCER_MAX_SCHEDULES); delete one or replace an existing one`,
        );
      }
      const created = outcome === "created";
      await upsertSweepScheduler(control, name, definition);
      return { created, schedule: await detail(await load(name)) };
    },

    /** A page of sweeps in name order; `nextCursor` is null on the last one. */
    async list(query: Record<string, unknown>) {
      const { limit, cursor } = parseOrThrow(scheduleListQuerySchema, query, "query", "query");
      const page = await store.namesAfter(cursor, limit);
      const schedules = await Promise.all(page.names.map((name) => store.get(name)));
      const items = await Promise.all(
        schedules.filter((s): s is StoredSchedule => s !== undefined).map(summary),
      );
      return { items, nextCursor: page.more ? (page.names.at(-1) ?? null) : null };
    },

    async get(name: string) {
      return detail(await load(name));
    },

    /** Once this returns, the sweep creates no more rollouts: no firing is half-way through. */
    async remove(name: string, caller: Caller): Promise<void> {
      const schedule = await load(name);
      const removed = await waitForTurn(() =>
        store.exclusive(schedule.name, async () => {
          // Scheduler first: a definition without one is visible and can be deleted again.
          await removeSweepScheduler(control, schedule.name);
          await store.delete(schedule.name, caller.name);
          return true;
        }),
      );
      if (removed === undefined)
        throw new ServiceError("conflict", `schedule ${name} is firing right now; try again`);
    },

    /** Fires the sweep now, outside its schedule, under the same "one at a time" rule. */
    async run(name: string, caller: Caller) {
      const schedule = await load(name);
      const firing = (await waitForTurn(async () => {
        const attempt = await fireSweep(deps, schedule.name, { by: caller.name });
        return attempt.outcome === "busy" ? undefined : attempt;
      })) ?? { outcome: "busy" };
      switch (firing.outcome) {
        case "created":
          return firing.rollout;
        case "gone":
          throw notFound(`schedule ${name}`);
        case "skipped":
          throw new ServiceError("conflict", `schedule ${name} was not run: ${firing.reason}`);
        default:
          throw new ServiceError("conflict", `schedule ${name} is firing right now; try again`);
      }
    },
  };
}

export type ScheduleService = ReturnType<typeof scheduleService>;
