// Paths of the Apinizer management API under a configured manager URL.

/** A manager URL split into what the connection pool needs (origin) and what every path starts with. */
export interface BaseUrl {
  origin: string;
  /** Path prefix without a trailing slash: "" or e.g. "/manager". */
  prefix: string;
}

export function parseBaseUrl(baseUrl: string): BaseUrl {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`gateway baseUrl must be http(s), got ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    // Credentials or a query in the base would silently ride along on every call.
    throw new TypeError("gateway baseUrl must not carry credentials, a query or a fragment");
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, "") };
}

/**
 * One path segment from a name. `encodeURIComponent` turns `/` into %2F and a space into %20;
 * "." and ".." are escaped too, or servers and proxies would normalise them away as dot-segments.
 */
export function segment(name: string): string {
  if (name === "." || name === "..") return name.replaceAll(".", "%2E");
  return encodeURIComponent(name);
}

const proxyPath = (base: BaseUrl, project: string, proxy: string) =>
  `${base.prefix}/apiops/projects/${segment(project)}/apiProxies/${segment(proxy)}`;

/** Documented paths end with a slash (the docs call the form without it incorrect); `full`,
 * `healthcheck` and `hello` are spelled without one in the manager's OpenAPI document. */
export const paths = {
  healthcheck: (base: BaseUrl) => `${base.prefix}/apiops/test/healthcheck`,
  hello: (base: BaseUrl) => `${base.prefix}/apiops/test/hello/enforcer`,
  projects: (base: BaseUrl) => `${base.prefix}/apiops/projects/`,
  proxies: (base: BaseUrl, project: string) =>
    `${base.prefix}/apiops/projects/${segment(project)}/apiProxies/`,
  proxy: (base: BaseUrl, project: string, proxy: string) => `${proxyPath(base, project, proxy)}/`,
  proxyFull: (base: BaseUrl, project: string, proxy: string) => `${proxyPath(base, project, proxy)}/full`,
  settings: (base: BaseUrl, project: string, proxy: string, segment: string) =>
    `${proxyPath(base, project, proxy)}/settings/${segment}/`,
  deploy: (base: BaseUrl, project: string, proxy: string, environment: string) =>
    `${proxyPath(base, project, proxy)}/environments/${segment(environment)}/`,
  deployStatus: (base: BaseUrl, project: string, proxy: string, environment: string) =>
    `${proxyPath(base, project, proxy)}/environments/${segment(environment)}/deploy-status/`,
};
