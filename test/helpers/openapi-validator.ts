// Requests checked against the Apinizer manager's published OpenAPI document with ajv: the path
// must be a documented template, the method documented for it, the body valid for the operation's
// request schema. The document is read from the reference copy beside the project, never copied in.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const REFERENCE_FILE = fileURLToPath(
  new URL("../../../shared/reference/apinizer-openapi.yaml", import.meta.url),
);

interface Operation {
  operationId?: string;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** The published document, or undefined where the reference copy is absent (e.g. a user's clone). */
export function loadReferenceDocument(): OpenApiDocument | undefined {
  return existsSync(REFERENCE_FILE)
    ? (parse(readFileSync(REFERENCE_FILE, "utf8")) as OpenApiDocument)
    : undefined;
}

export interface MatchedOperation {
  /** The document's path template, e.g. `/apiops/projects/{projectName}/`. */
  template: string;
  method: string;
  operationId: string;
  params: Record<string, string>;
}

export interface CheckedRequest {
  operation?: MatchedOperation;
  /** JSON body, when one was sent and parsed. */
  body?: unknown;
  /** Each way the request departs from the document; empty when it conforms. */
  violations: string[];
}

const SCHEMA_ID = "apinizer-openapi";
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Names of schemas that some `allOf` composes: closing those would refuse the composition's own fields. */
function composedNames(schemas: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  const text = JSON.stringify(schemas);
  for (const match of text.matchAll(/"allOf":\[([^\]]*)\]/g)) {
    for (const ref of (match[1] ?? "").matchAll(/#\/components\/schemas\/([^"]+)"/g)) names.add(ref[1] ?? "");
  }
  return names;
}

/**
 * springdoc leaves `additionalProperties` out, and Spring's JSON binding ignores unknown fields by
 * default: a field the document does not define is silently dropped by such a manager. `closed`
 * makes every object schema refuse them, so a request that relies on an undocumented field shows.
 */
function close(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) close(item);
    return;
  }
  if (!isObject(node)) return;
  const composite = "allOf" in node || "oneOf" in node || "anyOf" in node;
  if (isObject(node.properties) && !("additionalProperties" in node) && !composite) {
    node.additionalProperties = false;
  }
  for (const value of Object.values(node)) close(value);
}

function describe(error: ErrorObject, root: string): string {
  const where = `${root}${error.instancePath}`;
  if (error.keyword === "additionalProperty" || error.keyword === "additionalProperties") {
    return `${where}: field '${String(error.params.additionalProperty)}' is not in the document's schema`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

export class OpenApiValidator {
  readonly #doc: OpenApiDocument;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #templates: Array<{ template: string; segments: string[]; literals: number }>;

  constructor(doc: OpenApiDocument, options: { closed?: boolean } = {}) {
    this.#doc = doc;
    const schemas = structuredClone(doc.components.schemas);
    if (options.closed ?? true) {
      const composed = composedNames(schemas);
      for (const [name, schema] of Object.entries(schemas)) if (!composed.has(name)) close(schema);
    }
    this.#ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ $id: SCHEMA_ID, components: { schemas } });
    // More literal segments first: `/apiProxies/{a}/full` before a `/apiProxies/{a}/{b}`.
    this.#templates = Object.keys(doc.paths)
      .map((template) => {
        const segments = template.split("/");
        return { template, segments, literals: segments.filter((s) => !s.startsWith("{")).length };
      })
      .sort((a, b) => b.literals - a.literals);
  }

  /** The documented operation a request names, or why none. Path parameters are decoded. */
  match(method: string, rawPath: string): MatchedOperation | string {
    const raw = rawPath.split("?")[0]?.split("/") ?? [];
    let pathKnown: string | undefined;
    for (const { template, segments } of this.#templates) {
      if (segments.length !== raw.length) continue;
      const params: Record<string, string> = {};
      const fits = segments.every((segment, i) => {
        const actual = raw[i] ?? "";
        if (!segment.startsWith("{")) return segment === actual;
        if (actual === "") return false;
        try {
          params[segment.slice(1, -1)] = decodeURIComponent(actual);
          return true;
        } catch {
          return false;
        }
      });
      if (!fits) continue;
      const operation = this.#doc.paths[template]?.[method.toLowerCase()];
      if (operation === undefined) {
        pathKnown ??= template;
        continue;
      }
      return { template, method: method.toUpperCase(), operationId: operation.operationId ?? "", params };
    }
    return pathKnown === undefined
      ? `no documented path matches ${rawPath}`
      : `${method.toUpperCase()} is not documented for ${pathKnown}`;
  }

  /** Checks one request: path, method, content type and body against the operation's schema. */
  check(method: string, rawPath: string, contentType: string | undefined, text: string): CheckedRequest {
    const matched = this.match(method, rawPath);
    if (typeof matched === "string") return { violations: [matched] };
    const operation = this.#doc.paths[matched.template]?.[method.toLowerCase()] ?? {};
    const violations: string[] = [];
    const result: CheckedRequest = { operation: matched, violations };
    const content = operation.requestBody?.content;
    if (content === undefined) {
      if (text.trim() !== "") violations.push(`${matched.operationId} takes no request body`);
      return result;
    }
    if (text.trim() === "") {
      if (operation.requestBody?.required) violations.push(`${matched.operationId} requires a body`);
      return result;
    }
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
    const media = content[mediaType];
    if (media === undefined) {
      violations.push(
        `content type ${mediaType || "(none)"} is not one of ${Object.keys(content).join(", ")}`,
      );
      return result;
    }
    try {
      result.body = JSON.parse(text);
    } catch {
      violations.push("the body is not JSON");
      return result;
    }
    violations.push(...this.#validate(media.schema, result.body, "body"));
    return result;
  }

  /** Violations of a value against a named component schema (e.g. a response envelope). */
  validate(schemaName: string, value: unknown): string[] {
    return this.#validate({ $ref: `#/components/schemas/${schemaName}` }, value, schemaName);
  }

  #validate(schema: unknown, value: unknown, root: string): string[] {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (validate === undefined) {
      // Refs of the document resolve against the schema registered under SCHEMA_ID.
      const rebased = JSON.parse(key.replaceAll('"#/components/', `"${SCHEMA_ID}#/components/`));
      validate = this.#ajv.compile(rebased);
      this.#compiled.set(key, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((error) => describe(error, root));
  }
}
