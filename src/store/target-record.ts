import type { TargetStatus } from "../rollouts/lifecycle.js";

/** A target as stored in Redis: short keys, because a rollout may hold 100k of them. */
export interface TargetRecord {
  /** project */
  p: string;
  /** proxy name */
  n: string;
  s: TargetStatus;
  /** wave, 1-based */
  w: number;
  /** HTTP attempts so far */
  a?: number;
  /** last HTTP status from the gateway */
  h?: number;
  /** the gateway's message (failure) */
  m?: string;
  /** why skipped / cancelled */
  r?: string;
  /** updated, epoch ms */
  u?: number;
  /** the job that holds it while running */
  j?: string;
  /** before-image: the proxy's settings before this rollout changed them (JSON text; read-back only) */
  b?: string;
}

export function parseTarget(raw: string): TargetRecord {
  return JSON.parse(raw) as TargetRecord;
}
