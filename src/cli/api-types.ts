// The part of the HTTP API's JSON (contract §3) the CLI reads. Kept to what it uses, so fields the
// service adds later never break an older CLI.

export interface RolloutCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  planned: number;
}

export interface Rollout {
  id: string;
  status: string;
  dryRun: boolean;
  gateway: string;
  policy: Record<string, unknown>;
  /** The named policy version the policy came from; null (or absent, older services) when inline. */
  policyRef?: { name: string; version: number } | null;
  deploy: { environments: string[] } | null;
  description: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: RolloutCounts;
  wave: { current: number; total: number };
  pausedReason: string | null;
  failureReason?: string | null;
  cancelReason?: string | null;
  ranAfterPause?: number;
  warnings?: PolicyWarning[];
  /** Whether the gateway's current settings are read (a dry run then knows what would change). */
  readBack?: boolean;
}

export interface PolicyWarning {
  code: string;
  path: string;
  message: string;
}

/** A dry run with read-back: one field that would change. */
export interface FieldChange {
  section: string;
  field: string;
  current: unknown;
  wanted: unknown;
}

export interface Target {
  project: string;
  proxy: string;
  status: string;
  wave: number;
  attempts: number;
  error: { httpStatus: number | null; message: string } | null;
  reason: string | null;
  updatedAt: string | null;
  changes?: FieldChange[];
}

/** Who wrote a version of a named policy, when, and why. */
export interface PolicyVersionInfo {
  version: number;
  createdBy: string;
  createdAt: string;
  description: string | null;
}

/** `GET /v1/policies` items: a policy with its latest version's info. */
export interface PolicySummary extends PolicyVersionInfo {
  name: string;
}

/** One version of a named policy (`GET /v1/policies/{name}/versions/{version}`). */
export interface PolicyVersion extends PolicySummary {
  policy: Record<string, unknown>;
  /** The policy's lint findings (absent from older services). */
  warnings?: PolicyWarning[];
}

/** `PUT /v1/policies/{name}`: the version now latest; `changed` false when the content was already. */
export interface PolicyPut extends PolicyVersion {
  changed: boolean;
}

/** `GET /v1/policies/{name}`: the latest version and every version's info, oldest first. */
export interface PolicyDetail extends PolicyVersion {
  versions: PolicyVersionInfo[];
}

/** `GET /v1/policies/{name}/diff`: `from`/`to` null where the setting is absent. */
export interface PolicyDiff {
  name: string;
  from: number;
  to: number;
  changes: Array<{ path: string; from: unknown; to: unknown }>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiErrorBody {
  error: string;
  message: string;
  details?: Array<{ path: string; message: string }>;
}

/** Targets that no longer change: what the progress bar counts as done. */
export function doneCount(counts: RolloutCounts): number {
  return counts.succeeded + counts.failed + counts.skipped + counts.cancelled + counts.planned;
}
