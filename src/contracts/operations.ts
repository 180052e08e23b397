import { z } from "zod";
import { isoTime } from "./common.js";
import { named } from "./registry.js";

// The audit trail and the gateways' state.

export const auditEntryContract = named(
  "AuditEntry",
  z.object({
    id: z.string().describe("The entry's stream id: pass the last one as `since` to continue"),
    at: isoTime,
    actor: z.string().describe("A caller's name, `schedule:<name>`, or `system`"),
    action: z
      .string()
      .describe("e.g. rollout.create, rollout.pause, rollout.status, schedule.put, policy.put"),
    rolloutId: z.string().optional(),
    schedule: z.string().optional(),
    policy: z.string().optional(),
    version: z.int().optional().describe("The named policy's version written (or the latest deleted)"),
    status: z.string().optional(),
    detail: z.string().optional(),
  }),
);

export const auditPageContract = named(
  "AuditPage",
  z.object({
    items: z.array(auditEntryContract),
    nextCursor: z.string().nullable().describe("Pass it back as `since` for the next page; null: no more"),
  }),
);

export const gatewayStatusContract = named(
  "GatewayStatus",
  z.object({
    name: z.string(),
    reachable: z.boolean().describe("The manager answered its healthcheck"),
    tokenValid: z
      .boolean()
      .nullable()
      .describe("The manager accepted the token; null when it could not be asked"),
    error: z.string().optional().describe("Why not, in the manager's or the transport's words"),
  }),
);

export const gatewayListContract = named("GatewayList", z.object({ items: z.array(gatewayStatusContract) }));

export const whoamiContract = named(
  "Caller",
  z.object({
    name: z.string().describe("The caller's name, as configured with its token"),
    role: z.enum(["viewer", "operator", "admin"]),
  }),
);
