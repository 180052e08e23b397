// The OpenAPI document as built without a service (scripts/openapi.ts, the lint and docs/api.md
// use it): every route declares its answers, the contract tests exercise every operation, and
// docs/api.md is the reference rendered from this very document.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderApiReference } from "../scripts/api-reference.js";
import { apiDocument, documentRoutes } from "../src/http/api-document.js";
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
