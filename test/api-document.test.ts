// The OpenAPI document as built without a service (scripts/openapi.ts, the lint and docs/api.md
// use it): every route declares its answers, the contract tests exercise every operation, and
// docs/api.md is the reference rendered from this very document.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { renderApiReference } from "../scripts/api-reference.js";
import type { AuditPage as ServiceAuditPage } from "../src/audit/audit-log.js";
import type {
  AuditPage,
  GatewayStatus,
  PolicyDetail,
  PolicyDiff,
  PolicyPut,
  PolicySummary,
  PolicyVersion,
  Rollout,
  ScheduleSummary,
} from "../src/contracts/index.js";
import { apiDocument, documentRoutes } from "../src/http/api-document.js";
import type { PolicyService } from "../src/named-policies/policy-service.js";
import type { ScheduleService } from "../src/schedules/schedule-service.js";
import type { GatewayStatus as ServiceGatewayStatus } from "../src/service/gateway-status.js";
import type { RolloutView } from "../src/service/rollout-view.js";
import { ADMIN_OPERATIONS, ROLLOUT_OPERATIONS } from "./helpers/contract.js";

const doc = apiDocument();
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op: op as { operationId: string } })),
);
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe("the OpenAPI document and docs/api.md", () => {
  it("every route declares a success answer, and operation ids are unique", () => {
    for (const route of documentRoutes()) {
      const statuses = Object.keys(route.responses ?? {}).map(Number);
      expect(
        statuses.some((s) => s >= 200 && s < 300),
        `${route.method} ${route.path}`,
      ).toBe(true);
    }
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("the service's own result types fit the contracts (tsc checks this)", () => {
    type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
    expectTypeOf<RolloutView>().toExtend<Rollout>();
    expectTypeOf<ServiceGatewayStatus>().toExtend<GatewayStatus>();
    expectTypeOf<ServiceAuditPage>().toExtend<AuditPage>();
    expectTypeOf<Result<ScheduleService["list"]>["items"][number]>().toExtend<ScheduleSummary>();
    expectTypeOf<Result<PolicyService["get"]>>().toExtend<PolicyDetail>();
    expectTypeOf<Result<PolicyService["put"]>["policy"]>().toExtend<PolicyPut>();
    expectTypeOf<Result<PolicyService["version"]>>().toExtend<PolicyVersion>();
    expectTypeOf<Result<PolicyService["diff"]>>().toExtend<PolicyDiff>();
    expectTypeOf<Result<PolicyService["list"]>["items"][number]>().toExtend<PolicySummary>();
    // A target's planned requests and a firing's status are typed loosely by the service (unknown,
    // string): the contract tests check those at run time.
  });

  it("the contract tests are responsible for every operation between them", () => {
    const ids = operations.map(({ op }) => op.operationId).sort();
    expect([...ROLLOUT_OPERATIONS, ...ADMIN_OPERATIONS].sort()).toEqual(ids);
  });

  it("docs/api.md documents every operation and is up to date (npm run docs:api)", () => {
    const reference = read("docs/api.md");
    for (const { path, method, op } of operations) {
      expect(reference, `${method.toUpperCase()} ${path}`).toContain(
        `### \`${method.toUpperCase()} ${path}\``,
      );
      expect(reference).toContain(`<a id="op-${op.operationId}"></a>`);
    }
    expect(reference === renderApiReference(doc), "docs/api.md is out of date: run npm run docs:api").toBe(
      true,
    );
  });

  it("the README points at docs/api.md, and no page links outside the repository", () => {
    expect(read("README.md")).toContain("(docs/api.md)");
    const pages = ["README.md", ...readdirSync(new URL("../docs", import.meta.url)).map((f) => `docs/${f}`)];
    for (const page of pages) expect(read(page), page).not.toMatch(/\.\.\/shared|\]\(\.\.\/\.\./);
  });
});
