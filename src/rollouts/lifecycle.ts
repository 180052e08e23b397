// The rollout state machine: statuses, and which control action each status allows.

export const ROLLOUT_STATUSES = [
  "planning",
  "running",
  "paused",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

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

const TERMINAL_ROLLOUT: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);
export const isTerminalRollout = (status: string): boolean => TERMINAL_ROLLOUT.has(status);

export type ControlAction = "pause" | "resume" | "cancel" | "retry";

export const CONTROL_ACTIONS: Record<ControlAction, { from: readonly RolloutStatus[]; to: RolloutStatus }> = {
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  cancel: { from: ["planning", "running", "paused"], to: "cancelled" },
  // Re-queueing failed targets reopens a rollout that finished `failed`.
  retry: { from: ["running", "paused", "failed"], to: "running" },
};

/** The sentence a 409 carries when `action` meets a rollout in `status`. */
export function refusal(action: ControlAction, status: string): string {
  const allowed = CONTROL_ACTIONS[action].from.join(", ");
  return `cannot ${action} a rollout that is ${status}; ${action} is allowed when it is ${allowed}`;
}

export const GATEWAY_AUTH_PAUSE =
  "gateway authentication failed (HTTP 401): check the gateway token, then resume";
