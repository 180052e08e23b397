// The HTTP API's bodies as zod schemas, shared by the service (OpenAPI document, tests) and the
// CLI (types). Import from here.
import type { z } from "zod";
import type { errorContract, policyWarningContract } from "./common.js";
import type {
  auditEntryContract,
  auditPageContract,
  gatewayListContract,
  gatewayStatusContract,
} from "./operations.js";
import type {
  policyDetailContract,
  policyDiffContract,
  policyPutContract,
  policySummaryContract,
  policyVersionContract,
  policyVersionInfoContract,
} from "./policies.js";
import type { countsContract, fieldChangeContract, rolloutContract, targetContract } from "./rollouts.js";
import type { scheduleContract, scheduleRunContract, scheduleSummaryContract } from "./schedules.js";

export * from "./common.js";
export * from "./operations.js";
export * from "./policies.js";
export * from "./registry.js";
export * from "./rollouts.js";
export * from "./schedules.js";

export type Rollout = z.infer<typeof rolloutContract>;
export type RolloutCounts = z.infer<typeof countsContract>;
export type Target = z.infer<typeof targetContract>;
export type FieldChange = z.infer<typeof fieldChangeContract>;
export type PolicyWarning = z.infer<typeof policyWarningContract>;
export type ApiErrorBody = z.infer<typeof errorContract>;
export type ScheduleSummary = z.infer<typeof scheduleSummaryContract>;
export type Schedule = z.infer<typeof scheduleContract>;
export type ScheduleRun = z.infer<typeof scheduleRunContract>;
export type PolicyVersionInfo = z.infer<typeof policyVersionInfoContract>;
export type PolicySummary = z.infer<typeof policySummaryContract>;
export type PolicyVersion = z.infer<typeof policyVersionContract>;
export type PolicyPut = z.infer<typeof policyPutContract>;
export type PolicyDetail = z.infer<typeof policyDetailContract>;
export type PolicyDiff = z.infer<typeof policyDiffContract>;
export type AuditEntry = z.infer<typeof auditEntryContract>;
export type AuditPage = z.infer<typeof auditPageContract>;
export type GatewayStatus = z.infer<typeof gatewayStatusContract>;
export type GatewayList = z.infer<typeof gatewayListContract>;

/** A page of any list but the audit trail (which pages with `since`). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
