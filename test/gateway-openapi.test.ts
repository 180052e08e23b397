// The client's paths and mTLS fields checked against the manager's own OpenAPI document, not only
// against the simulator. Skipped where the reference copy is absent (e.g. a user's clone).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MTLS_FIELDS } from "../src/gateway/client.js";
import { parseBaseUrl, paths } from "../src/gateway/urls.js";

const file = fileURLToPath(new URL("../../shared/reference/apinizer-openapi.yaml", import.meta.url));
const present = existsSync(file);

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
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
    ["patch", paths.mtls(base, "PRJ", "PRX")],
    ["post", paths.deploy(base, "PRJ", "PRX", "ENV")],
  ])("%s %s is a documented operation", (method, path) => {
    expect(doc?.paths[template(path)]?.[method]).toBeDefined();
  });

  it("the mTLS fields the document names are ones the client can send", () => {
    const fields = Object.keys(doc?.components.schemas.RoutingMTLSSettingsDTO?.properties ?? {});
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect(MTLS_FIELDS).toContain(field);
  });

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
