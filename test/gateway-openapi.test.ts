// The client's paths and every settings section's fields checked against the manager's own OpenAPI document, not only
// against the simulator. Skipped where the reference copy is absent (e.g. a user's clone).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { parseBaseUrl, paths } from "../src/gateway/urls.js";
import { SECTIONS } from "../src/policy/registry.js";

const file = fileURLToPath(new URL("../../shared/reference/apinizer-openapi.yaml", import.meta.url));
const present = existsSync(file);

interface Operation {
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
}

/** Fields only the prose docs (newer generation) name, not the published document. */
const PROSE_ONLY: Record<string, string[]> = { mtls: ["keyStoreId", "trustStoreId", "disableSslValidation"] };

interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

describe.skipIf(!present)("gateway client vs the manager's OpenAPI document", () => {
  const doc = present ? (parse(readFileSync(file, "utf8")) as OpenApi) : undefined;
  const base = parseBaseUrl("http://h/");
  // Markers survive encoding unchanged, then become the document's template names.
  const template = (path: string) =>
    path
      .replace("/projects/PRJ/", "/projects/{projectName}/")
      .replace("/apiProxies/PRX/", "/apiProxies/{apiProxyName}/")
      .replace("/environments/ENV/", "/environments/{environmentName}/");

  it.each([
    ["get", paths.healthcheck(base)],
    ["get", paths.projects(base)],
    ["get", paths.proxies(base, "PRJ")],
    ["get", paths.proxy(base, "PRJ", "PRX")],
    ["get", paths.proxyFull(base, "PRJ", "PRX")],
    ...SECTIONS.map((section) => ["patch", paths.settings(base, "PRJ", "PRX", section.segment)]),
    ["post", paths.deploy(base, "PRJ", "PRX", "ENV")],
    ["get", paths.deployStatus(base, "PRJ", "PRX", "ENV")],
  ])("%s %s is a documented operation", (method, path) => {
    expect(doc?.paths[template(path)]?.[method]).toBeDefined();
  });

  it.each(SECTIONS.map((section) => [section.key, section] as const))(
    "the %s section takes exactly the fields of the document's body",
    (_key, section) => {
      const path = template(paths.settings(base, "PRJ", "PRX", section.segment));
      const ref = doc?.paths[path]?.patch?.requestBody?.content["application/json"]?.schema.$ref ?? "";
      const documented = Object.keys(doc?.components.schemas[ref.split("/").at(-1) ?? ""]?.properties ?? {});
      expect(documented.length).toBeGreaterThan(0);
      const accepted = Object.keys(
        (z.toJSONSchema(section.schema, { io: "input" }) as { properties: object }).properties,
      );
      expect(accepted.sort()).toEqual([...documented, ...(PROSE_ONLY[section.key] ?? [])].sort());
    },
  );

  it("the deployment result carries the fields the envelope reader looks at", () => {
    const schemas = doc?.components.schemas ?? {};
    expect(Object.keys(schemas.ApiOpsResponseSuccess?.properties ?? {})).toEqual(
      expect.arrayContaining(["status", "resultMessage", "deploymentResult"]),
    );
    expect(Object.keys(schemas.DeploymentResult?.properties ?? {})).toEqual(
      expect.arrayContaining(["envName", "success", "detail", "detailList"]),
    );
  });
});
