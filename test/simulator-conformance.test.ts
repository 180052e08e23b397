// The simulator against the manager's own published OpenAPI document (read from ../shared, never copied).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROUTES } from "../src/simulator/routes.js";
import { DEPLOY_FIELDS } from "../src/simulator/sections/body.js";
import { SECTIONS } from "../src/simulator/sections/catalog.js";
import type { FieldSchema } from "../src/simulator/sections/fields.js";
import { acceptedFields, type Section, wrapperIn } from "../src/simulator/sections/section.js";
import { startSimulator } from "../src/simulator/server.js";
import type { Flavour, RunningSimulator } from "../src/simulator/types.js";
import { call, patchMtls, sectionPath } from "./helpers/simulator-http.js";

const REFERENCE = fileURLToPath(new URL("../../shared/reference/", import.meta.url));
const SPEC_FILE = `${REFERENCE}apinizer-openapi.yaml`;
const DOCS_FILE = `${REFERENCE}apinizer-management-api.md`;
const SKIP_REASON = `${SPEC_FILE} is absent (only developer machines and CI have ../shared): conformance not checked`;
const FLAVOURS: Flavour[] = ["classic", "newer"];

/**
 * Body fields the openapi DTOs lack but the prose documentation names: the newer generation's
 * `keyStoreId`/`trustStoreId` and `disableSslValidation`, and the inline deploy every body takes.
 * Each must really appear in apinizer-management-api.md (checked below), so this list cannot drift.
 */
const DOCUMENTED_ONLY_IN_PROSE = [
  "keyStoreId",
  "trustStoreId",
  "disableSslValidation",
  "deploy",
  "deployTargetEnvironmentNameList",
];

/** DTO fields the newer generation spells as the prose does; the classic one keeps the DTO's spelling. */
const RESPELLED_IN_NEWER: Record<string, string> = {
  keyStoreName: "keyStoreId",
  trustStoreName: "trustStoreId",
};

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
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

/** A yaml schema in the simulator's terms: references resolved; descriptions and `required` dropped. */
function shapeOf(schema: Schema): FieldSchema {
  const { type, format, enum: values, items, properties } = resolve(schema);
  return {
    type: type as FieldSchema["type"],
    ...(format === undefined ? {} : { format: format as FieldSchema["format"] }),
    ...(values === undefined ? {} : { enum: values }),
    ...(items === undefined ? {} : { items: shapeOf(items) }),
    ...(properties === undefined
      ? {}
      : { properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, shapeOf(v)])) }),
  };
}

function requestSchema(section: Section): Schema {
  const patch = spec?.paths[ROUTES.find((route) => route.name === section.key)?.path ?? ""]?.patch;
  const schema = patch?.requestBody?.content["application/json"]?.schema;
  if (!schema) throw new Error(`the ${section.key} PATCH has no JSON request body in the spec`);
  return schema;
}

function schemaFields(section: Section): Record<string, Schema> {
  return resolve(requestSchema(section)).properties ?? {};
}

/** A value of the wrong type for the schema; inside a list, a list holding one wrong item. */
function wrongValueFor(schema: FieldSchema): unknown {
  if (schema.type === "array" && schema.items) return [wrongValueFor(schema.items)];
  return { boolean: "yes", string: 42, integer: 1.5, array: "x", object: [] }[schema.type];
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

  it.each(SECTIONS.map((section) => [section.key, section] as const))(
    "%s: takes the body schema named for it",
    (_key, section) => {
      expect(requestSchema(section).$ref).toBe(`#/components/schemas/${section.schemaName}`);
    },
  );

  it.each(SECTIONS.map((section) => [section.key, section] as const))(
    "%s: each generation accepts the schema's fields with its types and enums, and only documented others",
    (_key, section) => {
      const schema = schemaFields(section);
      expect(Object.keys(schema).length).toBeGreaterThan(0);
      const docs = readFileSync(DOCS_FILE, "utf8");
      for (const flavour of FLAVOURS) {
        const accepted = acceptedFields(section, flavour);
        for (const [field, fieldSchema] of Object.entries(schema)) {
          const respelled = flavour === "newer" ? RESPELLED_IN_NEWER[field] : undefined;
          const name = respelled ?? field;
          expect(accepted[name], `${flavour} ${section.key}: schema field ${field}`).toBeDefined();
          expect(accepted[name]?.schema, `${flavour} ${section.key}.${name}`).toEqual(shapeOf(fieldSchema));
          if (respelled) expect(accepted[field], `${flavour} also takes ${field}`).toBeUndefined();
        }
        const extra = Object.keys(accepted).filter((field) => !(field in schema));
        if (flavour === "classic")
          expect(extra, `classic ${section.key}: the published DTO only`).toEqual([]);
        for (const field of [...extra, ...Object.keys(DEPLOY_FIELDS)]) {
          expect(DOCUMENTED_ONLY_IN_PROSE, `${field} is in neither the schema nor the prose list`).toContain(
            field,
          );
          expect(docs, `field ${field} is not named in ${DOCS_FILE}`).toContain(`\`${field}\``);
        }
      }
    },
  );

  describe("over HTTP", () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      sim = await startSimulator({ projects: 1, proxiesPerProject: 1 });
    });
    afterAll(() => sim?.close());

    it.each(FLAVOURS)(
      "refuses a wrongly typed value for every schema field, naming it (%s)",
      async (flavour) => {
        const generation = await startSimulator({ flavour, projects: 1, proxiesPerProject: 1 });
        try {
          for (const section of SECTIONS) {
            const wrapper = wrapperIn(section, flavour);
            for (const [field, schema] of Object.entries(schemaFields(section))) {
              const settings = { [field]: wrongValueFor(shapeOf(schema)) };
              const answer = await call(
                generation,
                "PATCH",
                sectionPath("project-001", "proxy-00001", section.segment),
                {
                  body: wrapper === undefined ? settings : { [wrapper]: settings },
                },
              );
              expect(answer.status, `${section.key}.${field}`).toBe(400);
              expect(answer.text, `${section.key}.${field}`).toContain(field);
            }
          }
          expect(generation.state.totalPatches()).toBe(0);
        } finally {
          await generation.close();
        }
      },
    );

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
