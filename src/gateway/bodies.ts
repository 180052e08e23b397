// Request bodies the client sends and the summaries it keeps of what the manager lists.
import { isObject } from "./envelopes.js";
import type { ProjectSummary, ProxySummary } from "./types.js";

export function projectSummary(item: unknown): ProjectSummary | undefined {
  if (!isObject(item) || typeof item.name !== "string") return undefined;
  return typeof item.description === "string"
    ? { name: item.name, description: item.description }
    : { name: item.name };
}

// Only the summary fields are kept: a project's list can hold thousands of full proxy definitions.
export function proxySummary(item: unknown): ProxySummary | undefined {
  if (!isObject(item) || typeof item.name !== "string") return undefined;
  const summary: ProxySummary = { name: item.name };
  for (const field of ["type", "description", "relativePath"] as const) {
    const value = item[field];
    if (typeof value === "string") summary[field] = value;
  }
  return summary;
}
