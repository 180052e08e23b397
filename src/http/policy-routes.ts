import {
  policyDetailContract,
  policyDiffContract,
  policyPageContract,
  policyPutContract,
  policyVersionContract,
} from "../contracts/index.js";
import { type PolicyService, policyLink } from "../named-policies/policy-service.js";
import { policyBodySchema, policyDiffQuerySchema, policyListQuerySchema } from "../named-policies/schema.js";
import { json, noContent } from "./responses.js";
import type { Route } from "./route.js";

const NO_POLICY = "No policy has this name";
const BAD_NAME = "The name is not letters, digits, - and _ (at most 64)";

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
      operationId: "putPolicy",
      summary:
        "Store a policy as its next version (201 for the first, 200 after; the latest version's content again adds none: changed false). If-Match: <version> refuses (409) unless that is the latest; 409 beyond ENFORCER_MAX_POLICIES or ENFORCER_MAX_POLICY_VERSIONS",
      schemas: { body: policyBodySchema },
      headers: ["If-Match"],
      responses: {
        201: json("The first version", policyPutContract, ["Location", "ETag"]),
        200: json("The next version, or the latest (changed: false)", policyPutContract, [
          "Location",
          "ETag",
        ]),
      },
      errors: {
        validation_failed: `Also: ${BAD_NAME.toLowerCase()}; If-Match is not a version`,
        conflict:
          "If-Match names a version that is not the latest; ENFORCER_MAX_POLICIES or ENFORCER_MAX_POLICY_VERSIONS reached",
      },
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
      operationId: "listPolicies",
      summary: "List policies with their latest version, in name order (page on with cursor=nextCursor)",
      schemas: { query: policyListQuerySchema },
      responses: { 200: json("A page of policies", policyPageContract) },
      handle: async ({ query }) => ({ status: 200, body: await service.list(query) }),
    },
    {
      method: "get",
      path: "/v1/policies/:name",
      role: "viewer",
      operationId: "getPolicy",
      summary: "Read a policy: its latest version, and every version's who, when and description",
      responses: { 200: json("The latest version and the history", policyDetailContract, ["ETag"]) },
      errors: { validation_failed: BAD_NAME, not_found: NO_POLICY },
      handle: async ({ params }) => {
        const policy = await service.get(params.name ?? "");
        return { status: 200, body: policy, headers: etag(policy.version) };
      },
    },
    {
      method: "get",
      path: "/v1/policies/:name/versions/:version",
      role: "viewer",
      operationId: "getPolicyVersion",
      summary: "Read one version of a policy",
      responses: { 200: json("The version", policyVersionContract) },
      errors: {
        validation_failed: `${BAD_NAME}; the version is not a number from 1`,
        not_found: "No policy has this name, or it has no such version",
      },
      handle: async ({ params }) => ({
        status: 200,
        body: await service.version(params.name ?? "", params.version ?? ""),
      }),
    },
    {
      method: "get",
      path: "/v1/policies/:name/diff",
      role: "viewer",
      operationId: "diffPolicy",
      summary:
        "What changed between two versions, setting by setting: {changes: [{path, from, to}]} (default: the latest against the one before)",
      schemas: { query: policyDiffQuerySchema },
      responses: { 200: json("The differences, in path order", policyDiffContract) },
      errors: { validation_failed: "Also: a version above the latest", not_found: NO_POLICY },
      handle: async ({ params, query }) => ({
        status: 200,
        body: await service.diff(params.name ?? "", query),
      }),
    },
    {
      method: "delete",
      path: "/v1/policies/:name",
      role: "admin",
      operationId: "deletePolicy",
      summary: "Delete a policy with every version (409 naming the schedules that still refer to it)",
      responses: { 204: noContent("Deleted, with every version") },
      errors: {
        validation_failed: BAD_NAME,
        not_found: NO_POLICY,
        conflict: "Schedules refer to it (the message names them)",
      },
      handle: async ({ params, caller }) => {
        await service.remove(params.name ?? "", caller);
        return { status: 204, body: undefined };
      },
    },
  ];
}
