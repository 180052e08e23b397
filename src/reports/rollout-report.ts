import type { TargetRecord } from "../engine/target-record.js";
import type { RolloutView } from "../service/rollout-view.js";
import type { DeploymentsAt } from "../service/target-deployments.js";
import { csvRow } from "./csv.js";
import { REPORT_COLUMNS, type ReportRow, reportRow } from "./report-row.js";

export const REPORT_FORMATS = ["json", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Targets read and written per step: bounded memory whatever the fleet's size. */
const CHUNK = 1000;

export interface ReportSource {
  rollout: RolloutView;
  /** Targets at these indexes, in index order. */
  targetsAt(indexes: readonly number[]): Promise<Array<[number, TargetRecord]>>;
  /** An after-save rollout's deployments of the targets at these indexes. */
  deploymentsAt?: DeploymentsAt | undefined;
}

interface Encoding {
  head: string;
  row(row: ReportRow, first: boolean): string;
  tail: string;
}

function encoding(format: ReportFormat, rollout: RolloutView): Encoding {
  if (format === "csv") {
    return {
      head: csvRow(REPORT_COLUMNS),
      row: (row) => csvRow(REPORT_COLUMNS.map((column) => row[column])),
      tail: "",
    };
  }
  return {
    head: `{"rollout":${JSON.stringify(rollout)},"targets":[`,
    row: (row, first) => (first ? "" : ",") + JSON.stringify(row),
    tail: "]}",
  };
}

/**
 * Writes the report chunk by chunk, awaiting each write (the client's pace), and stops when the
 * client goes away. A read failure rejects, so the transfer is cut short rather than ending as
 * if complete.
 */
export async function writeReport(
  format: ReportFormat,
  source: ReportSource,
  write: (chunk: string) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const { head, row, tail } = encoding(format, source.rollout);
  await write(head);
  const total = source.rollout.counts.total;
  let first = true;
  for (let from = 0; from < total && !signal.aborted; from += CHUNK) {
    const indexes = Array.from({ length: Math.min(CHUNK, total - from) }, (_, i) => from + i);
    let chunk = "";
    const deployments = await source.deploymentsAt?.(indexes);
    for (const [index, target] of await source.targetsAt(indexes)) {
      chunk += row(reportRow(target, deployments?.get(index)), first);
      first = false;
    }
    if (chunk !== "") await write(chunk);
  }
  if (tail !== "") await write(tail);
}
