import type { z } from "zod";
import { type ErrorDetail, ServiceError } from "./service-error.js";

/** Dotted path of a zod issue ("strategy.waves.1"), prefixed with where the input came from. */
function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((p) => p !== "").join(".") || "(body)";
}

type Issue = z.core.$ZodIssue;

/**
 * A value that matches no branch of a union (a list or a `{"min": ...}` constraint): the issues of
 * the branch whose shape the value has (no type mismatch at its root), so the detail names the
 * wrong item rather than the whole field.
 */
function unionIssues(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union") return [issue];
  const shaped = issue.errors.filter(
    (branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0),
  );
  if (shaped.length !== 1) return [issue];
  return (shaped[0] ?? []).map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** Every violation, not just the first, each naming its field. */
export function detailsOf(error: z.ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.flatMap(unionIssues).flatMap((issue) => {
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
