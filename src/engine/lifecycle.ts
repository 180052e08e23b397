// The rollout state machine: statuses, which control action each status allows, and the typed
// refusals of the engine. The Lua scripts follow these tables: their key list is generated from
// TARGET_STATUSES (engine/scripts.ts), so a new status cannot misalign keys.

export const ROLLOUT_STATUSES = [
  "planning",
  "running",
  "paused",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/**
 * A target's status (contract §3.3), one sorted set each. `running` means handed to the workers:
 * its job is on the queue or in flight (at most the dispatch window per rollout).
 */
export const TARGET_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
  "planned",
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** Statuses a target never leaves by itself (only an operator's retry moves `failed` back). */
export const TERMINAL_TARGET: ReadonlySet<TargetStatus> = new Set([
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
  "planned",
]);

const TERMINAL_ROLLOUT: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);
export const isTerminalRollout = (status: string): boolean => TERMINAL_ROLLOUT.has(status);

export type ControlAction = "pause" | "resume" | "cancel" | "retry";

export const CONTROL_ACTIONS: Record<ControlAction, { from: readonly RolloutStatus[]; to: RolloutStatus }> = {
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  cancel: { from: ["planning", "running", "paused"], to: "cancelled" },
  // Re-queueing failed targets reopens a rollout that finished `failed`; a paused one stays paused.
  retry: { from: ["running", "paused", "failed"], to: "running" },
};

/** Why the engine refused a control action (the scripts answer these codes). */
export type Refusal = "missing" | "not_allowed" | "no_failed_targets";

/** The sentence a 409 carries when `action` meets a rollout in `status`. */
export function refusal(action: ControlAction, status: string): string {
  const allowed = CONTROL_ACTIONS[action].from.join(", ");
  return `cannot ${action} a rollout that is ${status}; ${action} is allowed when it is ${allowed}`;
}

export const GATEWAY_AUTH_PAUSE =
  "gateway authentication failed (HTTP 401): check the gateway token, then resume";

/** The start of the reason a rollout paused by the outage breaker carries (and auto-resume looks for). */
export const GATEWAY_DOWN_PAUSE = "gateway unavailable";
