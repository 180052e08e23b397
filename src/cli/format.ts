import type { FieldChange, Rollout, RolloutCounts, Target } from "../contracts/index.js";
import { terminalText } from "./terminal-text.js";

/** "42s", "3m05s", "2h07m"; "?" while unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined) return "?";
  return perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

const COUNT_ORDER: Array<keyof RolloutCounts> = [
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
  "planned",
  "running",
  "pending",
];

/** Targets that no longer change: what the progress bar counts as done. */
export function doneCount(counts: RolloutCounts): number {
  return counts.succeeded + counts.failed + counts.skipped + counts.cancelled + counts.planned;
}

/** "5 targets: 3 succeeded, 1 failed, 1 skipped" (zero counts left out). */
export function formatCounts(counts: RolloutCounts): string {
  const parts = COUNT_ORDER.filter((key) => counts[key] > 0).map((key) => `${counts[key]} ${key}`);
  const noun = counts.total === 1 ? "target" : "targets";
  return parts.length === 0 ? `${counts.total} ${noun}` : `${counts.total} ${noun}: ${parts.join(", ")}`;
}

/** `HTTP 400  gateway message` for failures, the reason for skips and cancels, else "" (terminal-safe). */
export function targetDetail(target: Target): string {
  if (target.error !== null) {
    const http = target.error.httpStatus === null ? "" : `HTTP ${target.error.httpStatus}  `;
    return `${http}${terminalText(target.error.message)}`;
  }
  return terminalText(target.reason ?? "");
}

/** `project/proxy`, terminal-safe: the gateway named them. */
export const targetName = (target: Target): string => terminalText(`${target.project}/${target.proxy}`);

/** `project/proxy  HTTP 400  gateway message`. */
export function formatTarget(target: Target): string {
  const detail = targetDetail(target);
  const name = targetName(target);
  return detail === "" ? name : `${name}  ${detail}`;
}

function reasonOf(rollout: Rollout): string | null | undefined {
  if (rollout.status === "paused") return rollout.pausedReason;
  if (rollout.status === "failed") return rollout.failureReason;
  if (rollout.status === "cancelled") return rollout.cancelReason;
  return undefined;
}

/** Why the rollout stopped where it did, when the service said (terminal-safe). */
export function stopReason(rollout: Rollout): string | undefined {
  const reason = reasonOf(rollout);
  return reason === null || reason === undefined ? undefined : terminalText(reason);
}

/**
 * Left-aligned columns, two spaces apart; the last column is not padded. Cells are made
 * terminal-safe first, so the escapes count in the widths.
 */
export function table(cells: string[][]): string[] {
  const rows = cells.map((row) => row.map(terminalText));
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/** A field's value as a plan shows it: constraints in words, values as JSON (terminal-safe). */
function planValue(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const [[bound, limit] = []] = Object.entries(value);
    if (Object.keys(value).length === 1 && (bound === "min" || bound === "max")) {
      if (typeof limit === "string") return `${limit} or better`;
      return `${bound === "min" ? "at least" : "at most"} ${limit}`;
    }
  }
  return terminalText(JSON.stringify(value) ?? "null");
}

/** A field that would change, diff-style: `- mtls.x: "NOOP"` then `+ mtls.x: "STRICT"`. */
export function formatChange(change: FieldChange): string[] {
  const field = terminalText(`${change.section}.${change.field}`);
  return [`- ${field}: ${planValue(change.current)}`, `+ ${field}: ${planValue(change.wanted)}`];
}
