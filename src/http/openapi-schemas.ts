import { z } from "zod";
import { contractId, contracts } from "../contracts/registry.js";

// zod schemas as the JSON Schema (2020-12) of OpenAPI 3.1: named contracts become
// `components.schemas` and are referenced by `$ref`; query parameters are written inline.

const COMPONENTS = "#/components/schemas/";

/** Noise zod writes that says nothing to a reader: the safe-integer range, the ISO time regex. */
function tidy(schema: Record<string, unknown>): void {
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  if (schema.format === "date-time") delete schema.pattern;
  delete schema.$schema;
  delete schema.$id;
}

const options = {
  // Requests as a client writes them (defaults optional); answers have no defaults or transforms.
  io: "input",
  unrepresentable: "any",
  override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => tidy(jsonSchema),
} as const;

/** Every named contract, by component name. */
export function componentSchemas(): Record<string, Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(contracts, { ...options, uri: (id) => `${COMPONENTS}${id}` });
  for (const schema of Object.values(schemas)) tidy(schema as Record<string, unknown>);
  return schemas as Record<string, Record<string, unknown>>;
}

/** A `$ref` to a named contract; anything else is a mistake in a route declaration. */
export function schemaRef(schema: z.ZodType, where: string): { $ref: string } {
  const id = contractId(schema);
  if (id === undefined) throw new Error(`${where}: not a named contract (see src/contracts/registry.ts)`);
  return { $ref: `${COMPONENTS}${id}` };
}

/** A schema written out in place (query parameters). */
export function inlineSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, options) as Record<string, unknown>;
  tidy(json);
  return json;
}
