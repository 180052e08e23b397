import type { z } from "zod";
import { type ErrorDetail, ServiceError } from "./service-error.js";

/** Dotted path of a zod issue ("strategy.waves.1"), prefixed with where the input came from. */
function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((p) => p !== "").join(".") || "(body)";
}

/** Every violation, not just the first, each naming its field. */
export function detailsOf(error: z.ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    // Unknown fields of a strict object: one detail per field, naming it.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: issuePath(prefix, [...issue.path, key]),
        message: "unknown field",
      }));
    }
    return [{ path: issuePath(prefix, issue.path), message: issue.message }];
  });
}

export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  prefix = "",
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = detailsOf(result.error, prefix);
  throw new ServiceError("validation_failed", `${what} is invalid: ${details.length} problem(s)`, details);
}
