import { z } from "zod";
import type { AuditLog } from "../audit/audit-log.js";
import { auditPageContract } from "../contracts/index.js";
import { parseOrThrow } from "../service/validation.js";
import { json } from "./responses.js";
import type { Route } from "./route.js";

const STREAM_ID = /^\d{1,16}-\d{1,16}$/;

/** `since` is a page's nextCursor (a stream id) or an ISO time (epoch ms, inclusive). */
const auditQuerySchema = z.object({
  since: z
    .string()
    .transform((value, ctx) => {
      if (STREAM_ID.test(value)) return value;
      const ms = z.iso.datetime({ offset: true }).safeParse(value).success ? Date.parse(value) : Number.NaN;
      if (Number.isFinite(ms) && ms >= 0) return ms;
      ctx.addIssue({
        code: "custom",
        message: "a cursor from nextCursor (e.g. 1718000000000-0) or an ISO time (e.g. 2025-01-31T00:00:00Z)",
      });
      return z.NEVER;
    })
    .optional()
    .describe("nextCursor of the previous page (exclusive), or an ISO time (inclusive)"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function auditRoutes(audit: AuditLog): Route[] {
  return [
    {
      method: "get",
      path: "/v1/audit",
      role: "admin",
      operationId: "listAudit",
      summary: "The audit trail, oldest first: who changed what, when (page on with since=nextCursor)",
      description:
        "Every call that changed something (rollouts created and controlled, schedules and policies written or deleted) and every rollout status change, kept for about ENFORCER_AUDIT_MAXLEN entries.",
      schemas: { query: auditQuerySchema },
      responses: { 200: json("A page of entries", auditPageContract) },
      handle: async ({ query }) => ({
        status: 200,
        body: await audit.list(parseOrThrow(auditQuerySchema, query, "query", "query")),
      }),
    },
  ];
}
