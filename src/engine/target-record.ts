import type { TargetStatus } from "./lifecycle.js";

/** Who a target is, written once at planning: short keys, because a rollout may hold 100k. */
export interface TargetIdentity {
  /** project */
  p: string;
  /** proxy name */
  n: string;
  /** wave, 1-based */
  w: number;
  /** A revert's target: the settings to write back (JSON text). */
  v?: string;
  /** The proxy's type, kept only when some section of the policy does not apply to it (AI types). */
  k?: string;
}

/** A target's last result, replaced whole at each step that records one. */
export interface TargetOutcome {
  /** HTTP attempts so far, over every run of the target */
  a?: number;
  /** last HTTP status from the gateway */
  h?: number;
  /** the gateway's message (failure) */
  m?: string;
  /** why skipped / cancelled */
  r?: string;
  /** updated, epoch ms */
  u?: number;
  /** before-image: the proxy's settings before this rollout changed them (JSON text; read-back only) */
  b?: string;
  /** A dry run with read-back: the fields that would change (JSON of FieldChange[]) */
  d?: string;
  /** Deploy-status read-back: environments whose saved settings are not deployed (JSON of DeployDrift[]) */
  y?: string;
}

/** A target as the API and reports read it: identity, outcome and status together. */
export interface TargetRecord extends Omit<TargetIdentity, "v">, TargetOutcome {
  s: TargetStatus;
}
