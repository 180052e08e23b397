import { randomBytes } from "node:crypto";
import type { RolloutStatus } from "../engine/lifecycle.js";
import { phaseLinks } from "../rollouts/deploy-phases.js";
import type { RolloutSpec } from "../rollouts/schema.js";
import { rolloutIdPrefix } from "./keys.js";
import type { RolloutFields } from "./rollout-store.js";

/** A rollout's stored hash, typed. Counts are not here: they are the sizes of the status sets. */
export interface RolloutState {
  spec: RolloutSpec;
  status: RolloutStatus;
  createdBy: string;
  createdAt: string;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  updatedAt: number;
  pausedReason: string | undefined;
  failureReason: string | undefined;
  cancelReason: string | undefined;
  wave: number;
  waveBounds: number[];
  maxErrors: number;
  ranAfterPause: number;
  /** An after-save rollout's deploy phases created so far: environment → rollout id. */
  phases: Record<string, string>;
}

const num = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);

export function newRolloutFields(spec: RolloutSpec, createdBy: string, now: Date): RolloutFields {
  return {
    spec: JSON.stringify(spec),
    status: "planning",
    createdBy,
    createdAt: now.toISOString(),
    updatedAt: String(now.getTime()),
    wave: "0",
  };
}

export function parseRolloutFields(fields: RolloutFields): RolloutState {
  return {
    spec: JSON.parse(fields.spec ?? "{}") as RolloutSpec,
    status: fields.status as RolloutStatus,
    createdBy: fields.createdBy ?? "",
    createdAt: fields.createdAt ?? "",
    startedAt: num(fields.startedAt),
    finishedAt: num(fields.finishedAt),
    updatedAt: num(fields.updatedAt) ?? 0,
    pausedReason: fields.pausedReason,
    failureReason: fields.failureReason,
    cancelReason: fields.cancelReason,
    wave: num(fields.wave) ?? 0,
    waveBounds: JSON.parse(fields.waveBounds ?? "[]") as number[],
    maxErrors: num(fields.maxErrors) ?? 0,
    ranAfterPause: num(fields.ranAfterPause) ?? 0,
    phases: phaseLinks(fields),
  };
}
