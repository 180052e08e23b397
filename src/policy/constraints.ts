// Requirements that stand where a value would ("TLS 1.2 or better", "at most 30"): what to send for
// them, and whether a proxy's current value satisfies them.
import { z } from "zod";

/** Strongest first: a protocol's index is its rank. */
export const PROTOCOLS = ["TLS_1_3", "TLS_1_2", "TLS_1_1", "TLS_1_0", "SSL_3_0"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type ProtocolMin = { min: Protocol };
export type NumberBound = { max: number } | { min: number };
export type Constraint = ProtocolMin | NumberBound;

const int32 = z.number().int().min(0).max(2_147_483_647);

/** A non-negative int32 field (as the manager's DTOs declare them), or a bound on it. */
export const boundedInt = (describe: string, max = 2_147_483_647) => {
  const value = int32.max(max);
  return z
    .union([value, z.object({ max: value }).strict(), z.object({ min: value }).strict()])
    .describe(
      `${describe}; or {"max": n} / {"min": n}: the PATCH sends the bound, a value within it complies`,
    );
};

/** `["TLS_1_3", "TLS_1_2"]`, or `{"min": "TLS_1_2"}`: every protocol at or above the minimum. */
export const protocolList = z
  .union([
    z
      .array(z.enum(PROTOCOLS))
      .max(PROTOCOLS.length)
      .refine((list) => new Set(list).size === list.length, "protocols must not repeat"),
    z.object({ min: z.enum(PROTOCOLS) }).strict(),
  ])
  .describe(
    'A list of protocols (an empty list means every protocol, SSL 3.0 included), or {"min": "TLS_1_2"}: ' +
      "the PATCH sends every protocol at or above it, and a non-empty list holding nothing below it complies",
  );

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A one-key `{min}` or `{max}` object: no settings field holds a plain object of that shape. */
export function asConstraint(value: unknown): Constraint | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== "min" && keys[0] !== "max")) return undefined;
  return value as Constraint;
}

const rank = (protocol: unknown) => PROTOCOLS.indexOf(protocol as Protocol);

/** The value a PATCH sends for a field: a constraint's bound, else the value itself. */
export function concrete(value: unknown): unknown {
  const constraint = asConstraint(value);
  if (constraint === undefined) return value;
  if ("min" in constraint && typeof constraint.min === "string") {
    return PROTOCOLS.slice(0, rank(constraint.min) + 1);
  }
  return "max" in constraint ? constraint.max : constraint.min;
}

/** Key-order-independent JSON, so that objects read back compare equal to objects written. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Lists of plain values are sets (a protocol list's order means nothing); other values compare deeply. */
function sameValue(current: unknown, wanted: unknown): boolean {
  if (Array.isArray(current) && Array.isArray(wanted) && wanted.every((v) => !isObject(v))) {
    const have = new Set(current.map(canonicalJson));
    return (
      have.size === new Set(wanted.map(canonicalJson)).size && wanted.every((v) => have.has(canonicalJson(v)))
    );
  }
  return canonicalJson(current) === canonicalJson(wanted);
}

/** Whether a proxy's current value satisfies what the policy asks of the field. */
export function complies(current: unknown, wanted: unknown): boolean {
  const constraint = asConstraint(wanted);
  if (constraint === undefined) return sameValue(current, wanted);
  if ("min" in constraint && typeof constraint.min === "string") {
    // An empty list allows every protocol: it never meets a minimum.
    const floor = rank(constraint.min);
    return (
      Array.isArray(current) && current.length > 0 && current.every((p) => rank(p) >= 0 && rank(p) <= floor)
    );
  }
  if (typeof current !== "number") return false;
  return "max" in constraint ? current <= constraint.max : current >= (constraint.min as number);
}
