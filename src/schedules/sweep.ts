import type { Logger } from "pino";
import type { Caller } from "../config/config.js";
import { isTerminalRollout } from "../engine/lifecycle.js";
import type { SweepHandler } from "../queue/control-processor.js";
import type { RolloutService } from "../service/rollout-service.js";
import type { RolloutView } from "../service/rollout-view.js";
import { ServiceError } from "../service/service-error.js";
import type { ScheduleRun, ScheduleStore } from "./schedule-store.js";

export interface SweepDeps {
  store: ScheduleStore;
  rollouts: Pick<RolloutService, "create" | "get">;
}

/** What started a firing: a BullMQ scheduler slot (its time in ms), or a caller's "run now". */
export type Trigger = { slot: number } | { by: string };

export type Firing =
  | { outcome: "created"; rollout: RolloutView }
  | { outcome: "skipped"; reason: string }
  /** Another firing of this sweep is deciding right now. */
  | { outcome: "busy" }
  /** This slot was handled already (its job ran twice). */
  | { outcome: "duplicate" }
  /** The sweep was deleted. */
  | { outcome: "gone" };

/** Rollouts of a sweep are created in its name, with operator rights. */
export const scheduleCaller = (name: string): Caller => ({
  name: `schedule:${name}`,
  role: "operator",
  secret: "",
});

/** The status of the sweep's last rollout while it is not finished. */
async function unfinished(rollouts: SweepDeps["rollouts"], id: string | undefined) {
  if (id === undefined) return undefined;
  try {
    const { status } = await rollouts.get(id);
    return isTerminalRollout(status) ? undefined : status;
  } catch (error) {
    // A rollout that no longer exists cannot be running.
    if (error instanceof ServiceError && error.kind === "not_found") return undefined;
    throw error;
  }
}

/**
 * One firing of a sweep: an ordinary rollout of its stored body, unless the previous one is
 * still going (recorded as a skip, never stacked). Firings of one sweep hold its lock, so
 * "is the last one finished?" and "create the next" cannot interleave.
 */
export async function fireSweep(deps: SweepDeps, name: string, trigger: Trigger): Promise<Firing> {
  const firing = await deps.store.exclusive(name, () => fireLocked(deps, name, trigger));
  return firing ?? { outcome: "busy" };
}

async function fireLocked(deps: SweepDeps, name: string, trigger: Trigger): Promise<Firing> {
  const { store } = deps;
  const slot = "slot" in trigger ? trigger.slot : undefined;
  if (slot !== undefined && (await store.slotHandled(name, slot))) return { outcome: "duplicate" };
  const schedule = await store.get(name);
  if (schedule === undefined) return { outcome: "gone" };

  const run: ScheduleRun = {
    at: new Date().toISOString(),
    ...(slot === undefined ? {} : { slot: new Date(slot).toISOString() }),
    ...("by" in trigger ? { by: trigger.by } : {}),
  };
  const skip = async (reason: string): Promise<Firing> => {
    await store.record(name, { ...run, skipped: reason }, slot);
    return { outcome: "skipped", reason };
  };
  const status = await unfinished(deps.rollouts, schedule.lastRollout);
  if (status !== undefined) return skip(`the previous rollout ${schedule.lastRollout} is still ${status}`);

  let rollout: RolloutView;
  try {
    ({ rollout } = await deps.rollouts.create({
      body: schedule.definition.rollout,
      caller: scheduleCaller(name),
      // A slot whose job crashed between creating and recording finds its rollout again.
      idempotencyKey: slot === undefined ? undefined : `slot:${slot}`,
    }));
  } catch (error) {
    // The stored body no longer passes (say its gateway left the configuration): say so.
    if (error instanceof ServiceError) return skip(`the rollout was refused: ${error.message}`);
    throw error;
  }
  await store.record(name, { ...run, rolloutId: rollout.id }, slot);
  return { outcome: "created", rollout };
}

/** The control worker's handler of a scheduler slot. */
export function sweepJob(deps: SweepDeps, log: Logger): SweepHandler {
  return async (name, slot) => {
    const firing = await fireSweep(deps, name, { slot });
    // Thrown, so BullMQ retries the slot once the other firing has decided.
    if (firing.outcome === "busy") throw new Error(`another firing of schedule ${name} is in progress`);
    const at = new Date(slot).toISOString();
    if (firing.outcome === "created")
      log.info({ schedule: name, slot: at, rolloutId: firing.rollout.id }, "sweep fired");
    else log.info({ schedule: name, slot: at, ...firing }, "sweep fired without a rollout");
  };
}
