// The simulator against the manager's own published OpenAPI document (read from ../shared, never copied).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HOSTNAME_VERIFIERS, MTLS_BODY_FIELDS, PROTOCOLS } from "../src/simulator/mtls-validation.js";
import { ROUTES } from "../src/simulator/routes.js";
import { startSimulator } from "../src/simulator/server.js";
import type { RunningSimulator } from "../src/simulator/types.js";
import { call, patchMtls } from "./helpers/simulator-http.js";

const REFERENCE = fileURLToPath(new URL("../../shared/reference/", import.meta.url));
const SPEC_FILE = `${REFERENCE}apinizer-openapi.yaml`;
const DOCS_FILE = `${REFERENCE}apinizer-management-api.md`;
const SKIP_REASON = `${SPEC_FILE} is absent (only developer machines and CI have ../shared): conformance not checked`;

/**
 * Body fields the openapi DTO lacks but the prose documentation names: the older generation's
 * `keyStoreId`/`trustStoreId` and the newer one's `disableSslValidation` and inline deploy. Each
 * must really appear in apinizer-management-api.md (checked below), so this list cannot drift.
 */
const DOCUMENTED_ONLY_IN_PROSE = [
  "keyStoreId",
  "trustStoreId",
  "disableSslValidation",
  "deploy",
  "deployTargetEnvironmentNameList",
];

type Schema = {
  $ref?: string;
  type?: string;
  enum?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
};
type Spec = {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};

const spec: Spec | undefined = existsSync(SPEC_FILE) ? parse(readFileSync(SPEC_FILE, "utf8")) : undefined;

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  const target = spec?.components.schemas[name];
  if (!target) throw new Error(`unresolved ${schema.$ref}`);
  return resolve(target);
}

function mtlsBodySchema(): Schema {
  const patch = spec?.paths[ROUTES.find((route) => route.name === "mtls")?.path ?? ""]?.patch;
  const schema = patch?.requestBody?.content["application/json"]?.schema;
  if (!schema) throw new Error("the mtls PATCH has no JSON request body in the spec");
  return resolve(schema);
}

function wrongValueFor(schema: Schema): unknown {
  return schema.type === "boolean" ? "yes" : schema.type === "array" ? "TLS_1_2" : 42;
}

describe("conformance with the manager's openapi document", () => {
  beforeEach((ctx) => {
    ctx.skip(spec === undefined, SKIP_REASON);
  });

  it("serves only paths and methods the openapi document has", () => {
    for (const route of ROUTES) {
      expect(spec?.paths[route.path], route.path).toBeDefined();
      expect(
        spec?.paths[route.path]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
  });

  it("accepts every field of the PATCH body schema and no field the documentation lacks", () => {
    const properties = Object.keys(mtlsBodySchema().properties ?? {});
    expect(properties.length).toBeGreaterThan(0);
    for (const field of properties) expect(MTLS_BODY_FIELDS, `schema field ${field}`).toContain(field);
    const docs = readFileSync(DOCS_FILE, "utf8");
    for (const field of MTLS_BODY_FIELDS.filter((name) => !properties.includes(name))) {
      expect(
        DOCUMENTED_ONLY_IN_PROSE,
        `field ${field} is in neither the schema nor the prose list`,
      ).toContain(field);
      expect(docs, `field ${field} is not named in ${DOCS_FILE}`).toContain(`\`${field}\``);
    }
  });

  it("uses exactly the schema's enums", () => {
    const properties = mtlsBodySchema().properties ?? {};
    expect(properties.supportedProtocolList?.items?.enum).toEqual([...PROTOCOLS]);
    expect(properties.hostnameVerifierType?.enum).toEqual([...HOSTNAME_VERIFIERS]);
  });

  describe("over HTTP (newer flavour)", () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      sim = await startSimulator({ projects: 1, proxiesPerProject: 1 });
    });
    afterAll(() => sim?.close());

    it("refuses a wrongly typed value for every schema field", async () => {
      for (const [field, schema] of Object.entries(mtlsBodySchema().properties ?? {})) {
        const answer = await patchMtls(sim, "project-001", "proxy-00001", { [field]: wrongValueFor(schema) });
        expect(answer.status, field).toBe(400);
      }
      expect(sim.state.totalPatches()).toBe(0);
    });

    it("answers lists, errors and saves with properties of the ApiOpsResponse schemas", async () => {
      const schemaKeys = (name: string) => Object.keys(spec?.components.schemas[name]?.properties ?? {});
      const list = await call(sim, "GET", "/apiops/projects/");
      expect(schemaKeys("ApiOpsResponseProject")).toEqual(expect.arrayContaining(Object.keys(list.json)));
      expect(schemaKeys("ProjectDTO")).toEqual(expect.arrayContaining(Object.keys(list.json.resultList[0])));
      const error = await call(sim, "GET", "/apiops/projects/nope/apiProxies/");
      expect(schemaKeys("ApiOpsResponseError")).toEqual(expect.arrayContaining(Object.keys(error.json)));
      const saved = await patchMtls(sim, "project-001", "proxy-00001", {
        hostnameVerifierType: "STRICT",
        deploy: true,
        deployTargetEnvironmentNameList: ["test"],
      });
      expect(schemaKeys("ApiOpsResponseSuccess")).toEqual(expect.arrayContaining(Object.keys(saved.json)));
    });
  });
});
