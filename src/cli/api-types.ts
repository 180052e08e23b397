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
