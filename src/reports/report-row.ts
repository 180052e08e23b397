import type { TargetRecord } from "../engine/target-record.js";
import { type Deployment, deploymentsText } from "../service/target-deployments.js";

/** One target in a report: flat, so the JSON and CSV forms carry the same columns. */
export interface ReportRow {
  project: string;
  proxy: string;
  status: string;
  wave: number;
  attempts: number;
  httpStatus: number | null;
  message: string | null;
  reason: string | null;
  updatedAt: string | null;
  /** An after-save rollout: each environment's deployment (`test: deployed; prod: not_started`). */
  deployments: string | null;
}

export const REPORT_COLUMNS: ReadonlyArray<keyof ReportRow> = [
  "project",
  "proxy",
  "status",
  "wave",
  "attempts",
  "httpStatus",
  "message",
  "reason",
  "updatedAt",
  "deployments",
];

export function reportRow(t: TargetRecord, deployments?: readonly Deployment[]): ReportRow {
  return {
    project: t.p,
    proxy: t.n,
    status: t.s,
    wave: t.w,
    attempts: t.a ?? 0,
    httpStatus: t.h ?? null,
    message: t.m ?? null,
    reason: t.r ?? null,
    updatedAt: t.u === undefined ? null : new Date(t.u).toISOString(),
    deployments: deployments === undefined ? null : deploymentsText(deployments),
  };
}
