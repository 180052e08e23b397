import { type PolicyService, policyLink } from "../named-policies/policy-service.js";
import { policyBodySchema, policyDiffQuerySchema, policyListQuerySchema } from "../named-policies/schema.js";
import type { Route } from "./route.js";

/** The version as an ETag, so a client can send it back as If-Match. */
const etag = (version: number) => ({ ETag: `"${version}"` });

/** Named, versioned policies: admins write them, every caller reads them. */
export function policyRoutes(service: PolicyService): Route[] {
  return [
    {
      method: "put",
      path: "/v1/policies/:name",
      role: "admin",
      body: true,
      summary:
        "Store a policy as its next version (201 for the first, 200 after; the latest version's content again adds none: changed false). If-Match: <version> refuses (409) unless that is the latest; 409 beyond ENFORCER_MAX_POLICIES or ENFORCER_MAX_POLICY_VERSIONS",
      schemas: { body: policyBodySchema },
      handle: async ({ params, body, caller, header }) => {
        const name = params.name ?? "";
        const { created, policy } = await service.put({ name, body, caller, ifMatch: header("if-match") });
        return {
          status: created ? 201 : 200,
          body: policy,
          headers: { Location: policyLink(policy.name), ...etag(policy.version) },
        };
      },
    },
    {
      method: "get",
      path: "/v1/policies",
      role: "viewer",
      summary: "List policies with their latest version, in name order (page on with cursor=nextCursor)",
      schemas: { query: policyListQuerySchema },
      handle: async ({ query }) => ({ status: 200, body: await service.list(query) }),
    },
    {
      method: "get",
      path: "/v1/policies/:name",
      role: "viewer",
      summary: "Read a policy: its latest version, and every version's who, when and description",
      handle: async ({ params }) => {
        const policy = await service.get(params.name ?? "");
        return { status: 200, body: policy, headers: etag(policy.version) };
      },
    },
    {
      method: "get",
      path: "/v1/policies/:name/versions/:version",
      role: "viewer",
      summary: "Read one version of a policy",
      handle: async ({ params }) => ({
        status: 200,
        body: await service.version(params.name ?? "", params.version ?? ""),
      }),
    },
    {
      method: "get",
      path: "/v1/policies/:name/diff",
      role: "viewer",
      summary:
        "What changed between two versions, setting by setting: {changes: [{path, from, to}]} (default: the latest against the one before)",
      schemas: { query: policyDiffQuerySchema },
      handle: async ({ params, query }) => ({
        status: 200,
        body: await service.diff(params.name ?? "", query),
      }),
    },
    {
      method: "delete",
      path: "/v1/policies/:name",
      role: "admin",
      summary: "Delete a policy with every version (409 naming the schedules that still refer to it)",
      handle: async ({ params, caller }) => {
        await service.remove(params.name ?? "", caller);
        return { status: 204, body: undefined };
      },
    },
  ];
}
