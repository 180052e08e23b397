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
