import type { Caller } from "../config/config.js";
import { lintPolicy } from "../policy/lint.js";
import { notFound, ServiceError } from "../service/service-error.js";
import { parseOrThrow } from "../service/validation.js";
import { policyDiff } from "./policy-diff.js";
import { REFERRERS_NAMED } from "./policy-scripts.js";
import type { PolicyStore, PolicyVersion } from "./policy-store.js";
import {
  ifMatchSchema,
  policyBodySchema,
  policyDiffQuerySchema,
  policyListQuerySchema,
  policyNameSchema,
  policyVersionSchema,
} from "./schema.js";

export interface PolicyServiceDeps {
  store: PolicyStore;
  /** ENFORCER_MAX_POLICIES */
  maxPolicies: number;
  /** ENFORCER_MAX_POLICY_VERSIONS */
  maxVersions: number;
}

export const policyLink = (name: string) => `/v1/policies/${name}`;

const versionView = (v: PolicyVersion) => ({
  name: v.name,
  version: v.version,
  policy: v.policy,
  /** Lint findings: a rollout of this version answers the same, or is refused under strict. */
  warnings: lintPolicy(v.policy),
  description: v.description,
  createdBy: v.createdBy,
  createdAt: v.createdAt,
  links: { self: `${policyLink(v.name)}/versions/${v.version}`, policy: policyLink(v.name) },
});

/** The named-policy use cases, free of HTTP. */
export function policyService(deps: PolicyServiceDeps) {
  const { store } = deps;

  // Names become Redis keys: anything but a slug is refused on every route.
  const parseName = (name: string) => parseOrThrow(policyNameSchema, name, "policy name", "name");

  async function latestOf(name: string): Promise<number> {
    const latest = await store.latest(parseName(name));
    if (latest === 0) throw notFound(`policy ${name}`);
    return latest;
  }

  async function load(name: string, version: number): Promise<PolicyVersion> {
    const found = await store.version(name, version);
    if (found === undefined) throw notFound(`version ${version} of policy ${name}`);
    return found;
  }

  /** A version of a diff (`from` or `to`): 0 (the empty policy) to the latest. */
  function inRange(name: string, latest: number, field: "from" | "to", version: number): number {
    if (version <= latest) return version;
    throw new ServiceError("validation_failed", `policy ${name} has no version ${version}`, [
      { path: `query.${field}`, message: `0 (the empty policy) to ${latest}, the latest version` },
    ]);
  }

  return {
    /** Stores a new version, unless the content equals the latest one's (`changed: false`). */
    async put(input: { name: string; body: unknown; caller: Caller; ifMatch?: string | undefined }) {
      const name = parseName(input.name);
      const body = parseOrThrow(policyBodySchema, input.body, "policy");
      const expected =
        input.ifMatch === undefined
          ? undefined
          : parseOrThrow(ifMatchSchema, input.ifMatch, "If-Match", "If-Match");
      const { outcome, version } = await store.put(name, body, input.caller.name, {
        maxPolicies: deps.maxPolicies,
        maxVersions: deps.maxVersions,
        expected,
      });
      switch (outcome) {
        case "stale":
          throw new ServiceError(
            "conflict",
            version === 0
              ? `policy ${name} does not exist (If-Match: ${expected}); read it again`
              : `policy ${name} is at version ${version}, not ${expected} (If-Match); read it again`,
          );
        case "full":
          throw new ServiceError(
            "conflict",
            `there are ${deps.maxPolicies} policies already, the most allowed (ENFORCER_MAX_POLICIES); delete one first`,
          );
        case "versions":
          throw new ServiceError(
            "conflict",
            `policy ${name} has ${version} versions, the most allowed (ENFORCER_MAX_POLICY_VERSIONS); delete it and create it again (its history goes)`,
          );
      }
      const stored = versionView(await load(name, version));
      return { created: outcome === "created", policy: { ...stored, changed: outcome !== "unchanged" } };
    },

    /** A page of policies in name order, each with its latest version's who, when and why. */
    async list(query: Record<string, unknown>) {
      const { limit, cursor } = parseOrThrow(policyListQuerySchema, query, "query", "query");
      const page = await store.page(cursor, limit);
      const items = page.items.map((item) => ({ ...item, links: { self: policyLink(item.name) } }));
      return { items, nextCursor: page.nextCursor };
    },

    /** The latest version, and every version's who, when and why. */
    async get(name: string) {
      const latest = await latestOf(name);
      const [current, versions] = await Promise.all([load(name, latest), store.history(name)]);
      return {
        ...versionView(current),
        links: { self: policyLink(name), version: `${policyLink(name)}/versions/${latest}` },
        versions,
      };
    },

    async version(name: string, version: string) {
      const number = parseOrThrow(policyVersionSchema, version, "version", "version");
      await latestOf(name);
      return versionView(await load(name, number));
    },

    /** Setting by setting; by default the latest version against the one before. */
    async diff(name: string, query: Record<string, unknown>) {
      const q = parseOrThrow(policyDiffQuerySchema, query, "query", "query");
      const latest = await latestOf(name);
      const to = inRange(name, latest, "to", q.to ?? latest);
      const from = inRange(name, latest, "from", q.from ?? Math.max(0, to - 1));
      const policyAt = async (version: number) => (version === 0 ? {} : (await load(name, version)).policy);
      const [before, after] = await Promise.all([policyAt(from), policyAt(to)]);
      return { name, from, to, changes: policyDiff(before, after) };
    },

    /** Refused (409, naming them) while schedules refer to the policy. */
    async remove(name: string, caller: Caller): Promise<void> {
      const result = await store.delete(parseName(name), caller.name);
      if (result.outcome === "missing") throw notFound(`policy ${name}`);
      if (result.outcome === "referenced") {
        const more = result.count > REFERRERS_NAMED ? ` and ${result.count - REFERRERS_NAMED} more` : "";
        throw new ServiceError(
          "conflict",
          `policy ${name} is used by schedule(s) ${result.schedules.join(", ")}${more}; change or delete them first`,
        );
      }
    },
  };
}

export type PolicyService = ReturnType<typeof policyService>;
