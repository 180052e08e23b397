// A small field-check toolkit for settings bodies: each field knows its openapi shape and checks a
// value as the manager's JSON binding would, before any controller runs.

/** The part of an openapi schema a settings field has; conformance tests compare it with the yaml. */
export interface FieldSchema {
  type: "boolean" | "string" | "integer" | "array" | "object";
  format?: "int32";
  enum?: readonly string[];
  items?: FieldSchema;
  properties?: Readonly<Record<string, FieldSchema>>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export interface Field<T> {
  readonly schema: FieldSchema;
  /** `name` is where the value sits in the body (`list[2].field`), so the message can point at it. */
  parse(value: unknown, name: string): Checked<T>;
}

export type Fields = Readonly<Record<string, Field<unknown>>>;

/** The settings object a field list describes: every field optional, as in a PATCH. */
export type SettingsOf<F extends Fields> = { [K in keyof F]?: F[K] extends Field<infer T> ? T : never };

function wrong(name: string, why: string): { ok: false; message: string } {
  return { ok: false, message: `Field '${name}' ${why}` };
}

function scalar<T>(schema: FieldSchema, why: string, accepts: (value: unknown) => boolean): Field<T> {
  return {
    schema,
    parse: (value, name) => (accepts(value) ? { ok: true, value: value as T } : wrong(name, why)),
  };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export const bool = scalar<boolean>({ type: "boolean" }, "must be a boolean", (v) => typeof v === "boolean");
export const text = scalar<string>({ type: "string" }, "must be a string", (v) => typeof v === "string");
/** Java's `int`: a whole number that fits in 32 bits (a bigger one is a binding error, not a wrap). */
export const int32 = scalar<number>(
  { type: "integer", format: "int32" },
  "must be a 32-bit integer",
  (v) => typeof v === "number" && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX,
);

/** A Java enum: the exact constant names, case included. */
export function oneOf<const V extends readonly string[]>(values: V): Field<V[number]> {
  return scalar<V[number]>(
    { type: "string", enum: values },
    `must be one of ${values.join(", ")}`,
    (v) => typeof v === "string" && values.includes(v),
  );
}

export function listOf<T>(item: Field<T>): Field<T[]> {
  return {
    schema: { type: "array", items: item.schema },
    parse(value, name) {
      if (!Array.isArray(value)) return wrong(name, "must be an array");
      const items: T[] = [];
      for (const [index, entry] of value.entries()) {
        const parsed = item.parse(entry, `${name}[${index}]`);
        if (!parsed.ok) return parsed;
        items.push(parsed.value);
      }
      return { ok: true, value: items };
    },
  };
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A nested object (a list item, or a generation's wrapper), checked by the same rules as the body. */
export function objectOf<F extends Fields>(fields: F): Field<SettingsOf<F>> {
  const properties = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.schema]));
  return {
    schema: { type: "object", properties },
    parse: (value, name) =>
      isJsonObject(value) ? parseFields(fields, value, `${name}.`) : wrong(name, "must be an object"),
  };
}

/**
 * The fields given, checked. Unknown fields are refused (a real manager would ignore them) so that
 * a client's typo shows up in tests instead of silently changing nothing. `null` counts as absent:
 * PATCH semantics.
 */
export function parseFields<F extends Fields>(
  fields: F,
  body: Record<string, unknown>,
  prefix = "",
): Checked<SettingsOf<F>> {
  const given: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    // hasOwn: a body field named like an Object.prototype member ("constructor") is unknown too.
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!field) return { ok: false, message: `Unknown field '${prefix}${name}'` };
    if (value === null) continue;
    const parsed = field.parse(value, prefix + name);
    if (!parsed.ok) return parsed;
    given[name] = parsed.value;
  }
  return { ok: true, value: given as SettingsOf<F> };
}
