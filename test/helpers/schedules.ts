import { POLICY } from "./service.js";

/** What the tests read back from the sweep and rollout APIs. */
export interface RunView {
  at: string;
  scheduledFor: string | null;
  requestedBy: string | null;
  rolloutId: string | null;
  status: string | null;
  reason: string | null;
}

export interface RolloutItem {
  id: string;
  status: string;
  dryRun: boolean;
  createdBy: string;
  createdAt: string;
}

interface Api {
  api(method: string, path: string): Promise<{ status: number; body: unknown }>;
}

/** A dry run of the policy over every proxy: an audit. */
export const AUDIT = { policy: POLICY, targets: { projects: ["*"] }, dryRun: true };

export const sweepBody = (over: Record<string, unknown> = {}) => ({
  cron: "0 3 * * *",
  timezone: "UTC",
  rollout: AUDIT,
  ...over,
});

/** A sweep firing every second: far above the service's minimum interval, so it says it means it. */
export const everySecond = (over: Record<string, unknown> = {}) =>
  sweepBody({ cron: "* * * * * *", allowFrequent: true, ...over });

/** Rollouts a sweep created, newest first. */
export async function rolloutsOf(h: Api, name: string): Promise<RolloutItem[]> {
  const { body } = await h.api("GET", "/v1/rollouts?limit=1000");
  return (body as { items: RolloutItem[] }).items.filter((r) => r.createdBy === `schedule:${name}`);
}

/** The sweep's recorded firings, newest first. */
export async function runsOf(h: Api, name: string): Promise<RunView[]> {
  const { status, body } = await h.api("GET", `/v1/schedules/${name}`);
  if (status !== 200) throw new Error(`GET schedule ${name}: ${status}`);
  return (body as { runs: RunView[] }).runs;
}

export interface AuditItem {
  actor: string;
  action: string;
  schedule?: string;
  rolloutId?: string;
  detail?: string;
}

/** The audit trail's entries about one sweep, oldest first. */
export async function auditOf(h: Api, name: string): Promise<AuditItem[]> {
  const { body } = await h.api("GET", "/v1/audit?limit=1000");
  return (body as { items: AuditItem[] }).items.filter((e) => e.schedule === name);
}
