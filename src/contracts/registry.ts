import { z } from "zod";

/**
 * Every named schema of the HTTP API, request bodies and responses alike: the OpenAPI document's
 * `components.schemas` are generated from this registry, and routes name their bodies by these
 * very schemas, so the document, the service's tests and the CLI's types share one source.
 */
export const contracts = z.registry<{ id: string }>();

/** Registers `schema` as the component `id` and returns it unchanged. */
export function named<S extends z.ZodType>(id: string, schema: S): S {
  contracts.add(schema, { id });
  return schema;
}

/** The component name of a registered schema. */
export function contractId(schema: z.ZodType): string | undefined {
  return contracts.get(schema)?.id;
}
