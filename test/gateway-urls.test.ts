import { describe, expect, it } from "vitest";
import { parseBaseUrl, paths, segment } from "../src/gateway/urls.js";

describe("gateway urls", () => {
  it("accepts a base URL with or without a trailing slash, and with a path prefix", () => {
    expect(parseBaseUrl("http://h:8080")).toEqual({ origin: "http://h:8080", prefix: "" });
    expect(parseBaseUrl("http://h:8080/")).toEqual({ origin: "http://h:8080", prefix: "" });
    expect(parseBaseUrl("https://h/manager/")).toEqual({ origin: "https://h", prefix: "/manager" });
    expect(parseBaseUrl("https://h/a/manager")).toEqual({ origin: "https://h", prefix: "/a/manager" });
  });

  it("refuses base URLs that would smuggle something into every call", () => {
    expect(() => parseBaseUrl("ftp://h/")).toThrow(TypeError);
    expect(() => parseBaseUrl("http://u:p@h/")).toThrow(TypeError);
    expect(() => parseBaseUrl("http://h/?x=1")).toThrow(TypeError);
    expect(() => parseBaseUrl("not a url")).toThrow();
  });

  it("encodes each name as one segment and keeps the trailing slash", () => {
    const base = parseBaseUrl("http://h/manager/");
    expect(paths.projects(base)).toBe("/manager/apiops/projects/");
    expect(paths.proxies(base, "My Project")).toBe("/manager/apiops/projects/My%20Project/apiProxies/");
    expect(paths.settings(base, "p", "orders/v1 API", "mtls")).toBe(
      "/manager/apiops/projects/p/apiProxies/orders%2Fv1%20API/settings/mtls/",
    );
    expect(paths.proxy(base, "p", "Ödeme?#%")).toBe(
      "/manager/apiops/projects/p/apiProxies/%C3%96deme%3F%23%25/",
    );
    expect(paths.deploy(base, "p", "a", "prod env")).toBe(
      "/manager/apiops/projects/p/apiProxies/a/environments/prod%20env/",
    );
    expect(paths.proxyFull(base, "p", "a")).toBe("/manager/apiops/projects/p/apiProxies/a/full");
    expect(paths.healthcheck(parseBaseUrl("http://h"))).toBe("/apiops/test/healthcheck");
  });

  it("escapes dot-segments so nothing normalises them away", () => {
    expect(segment(".")).toBe("%2E");
    expect(segment("..")).toBe("%2E%2E");
    expect(segment("a.b")).toBe("a.b");
  });
});
