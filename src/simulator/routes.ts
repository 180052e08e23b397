// The paths the simulator serves, as the manager's openapi spells them, and matching raw request paths.
import { SECTIONS, type SectionKey } from "./sections/catalog.js";

/** A settings section's PATCH route is named by the section's key ("mtls", "circuitBreaker", ...). */
export type RouteName =
  | "healthcheck"
  | "hello"
  | "projects"
  | "proxies"
  | "proxy"
  | "proxy full"
  | SectionKey
  | "deploy"
  | "deploy status";

export interface Route {
  name: RouteName;
  method: "GET" | "PATCH" | "POST";
  /** The openapi path template, so conformance tests can look each route up verbatim. */
  path: string;
  /** Answered without a token. */
  public?: boolean;
  /** The openapi path has no trailing slash; one is tolerated too. */
  trailingSlashOptional?: boolean;
}

const PROXY = "/apiops/projects/{projectName}/apiProxies/{apiProxyName}";

export const ROUTES: readonly Route[] = [
  {
    name: "healthcheck",
    method: "GET",
    path: "/apiops/test/healthcheck",
    public: true,
    trailingSlashOptional: true,
  },
  // Checks a token: answers only an authorised caller.
  { name: "hello", method: "GET", path: "/apiops/test/hello/{name}", trailingSlashOptional: true },
  { name: "projects", method: "GET", path: "/apiops/projects/" },
  { name: "proxies", method: "GET", path: "/apiops/projects/{projectName}/apiProxies/" },
  { name: "proxy", method: "GET", path: `${PROXY}/` },
  { name: "proxy full", method: "GET", path: `${PROXY}/full`, trailingSlashOptional: true },
  ...SECTIONS.map(
    ({ key, segment }): Route => ({
      name: key,
      method: "PATCH",
      path: `${PROXY}/settings/${segment}/`,
    }),
  ),
  { name: "deploy", method: "POST", path: `${PROXY}/environments/{environmentName}/` },
  { name: "deploy status", method: "GET", path: `${PROXY}/environments/{environmentName}/deploy-status/` },
];

export type RouteMatch =
  | { kind: "route"; route: Route; params: Record<string, string> }
  | { kind: "wrong_method" }
  | { kind: "not_found" }
  | { kind: "bad_encoding" };

interface Compiled {
  route: Route;
  segments: string[];
}

const COMPILED: Compiled[] = ROUTES.map((route) => ({ route, segments: route.path.split("/") }));

type SegmentsMatch = Record<string, string> | "no" | "bad_encoding";

/**
 * Names may contain an encoded `/` (%2F): the raw path is split on `/` first and each segment is
 * decoded afterwards, so a name never spills into the next segment.
 */
function matchSegments(template: string[], raw: string[]): SegmentsMatch {
  if (template.length !== raw.length) return "no";
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const expected = template[i] as string;
    const actual = raw[i] as string;
    if (expected.startsWith("{")) {
      if (actual === "") return "no";
      try {
        params[expected.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return "bad_encoding";
      }
    } else if (expected !== actual) {
      return "no";
    }
  }
  return params;
}

export function matchRoute(method: string, url: string): RouteMatch {
  const query = url.indexOf("?");
  const raw = (query === -1 ? url : url.slice(0, query)).split("/");
  let pathMatched = false;
  for (const { route, segments } of COMPILED) {
    let params = matchSegments(segments, raw);
    if (params === "no" && route.trailingSlashOptional && raw[raw.length - 1] === "") {
      params = matchSegments(segments, raw.slice(0, -1));
    }
    if (params === "no") continue;
    if (params === "bad_encoding") return { kind: "bad_encoding" };
    if (route.method === method) return { kind: "route", route, params };
    pathMatched = true;
  }
  return pathMatched ? { kind: "wrong_method" } : { kind: "not_found" };
}
