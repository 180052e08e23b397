import { z } from "zod";
import { reportContract } from "../contracts/index.js";
import { REPORT_FORMATS, writeReport } from "../reports/rollout-report.js";
import type { RolloutView } from "../service/rollout-view.js";
import { deploymentsReader } from "../service/target-deployments.js";
import { parseOrThrow } from "../service/validation.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Route } from "./route.js";

const reportQuerySchema = z.object({
  format: z
    .enum(REPORT_FORMATS)
    .default("json")
    .describe("json: one document; csv: a header row, then a row per target"),
});

const CONTENT_TYPES = { json: "application/json; charset=utf-8", csv: "text/csv; charset=utf-8" } as const;

export function reportRoutes(deps: {
  rollout(id: string): Promise<RolloutView>;
  store: RolloutStore;
}): Route[] {
  return [
    {
      method: "get",
      path: "/v1/rollouts/:id/report",
      role: "viewer",
      operationId: "getRolloutReport",
      tag: "Reports",
      summary: "The rollout, its policy and every target's result, streamed as JSON or CSV",
      description:
        "Streamed in chunks of 1,000 targets, so any size fits. A report cut short by a failure ends without its closing bytes (the connection drops), never as if complete.",
      responses: {
        200: {
          description: "The report: JSON, or CSV as an attachment (same columns as the JSON targets)",
          content: { "application/json": reportContract, "text/csv": "text" },
          headers: ["Content-Disposition"],
        },
      },
      errors: { not_found: "No rollout has this id" },
      schemas: { query: reportQuerySchema },
      handle: async ({ params, query }) => {
        const { format } = parseOrThrow(reportQuerySchema, query, "query", "query");
        // Read before answering: an unknown rollout is a 404, not a stream that fails.
        const rollout = await deps.rollout(params.id ?? "");
        const headers: Record<string, string> = {
          "Content-Type": CONTENT_TYPES[format],
          "Cache-Control": "no-store",
        };
        if (format === "csv")
          headers["Content-Disposition"] = `attachment; filename="rollout-${rollout.id}.csv"`;
        return {
          status: 200,
          headers,
          stream: (write, signal) =>
            writeReport(
              format,
              {
                rollout,
                targetsAt: (indexes) => deps.store.targetsAt(rollout.id, indexes),
                deploymentsAt: deploymentsReader(deps.store, rollout),
              },
              write,
              signal,
            ),
        };
      },
    },
  ];
}
