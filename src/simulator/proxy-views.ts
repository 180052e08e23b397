// The JSON shapes of a proxy in list, detail and "full" answers.
import type { ProxyEntry } from "./fleet.js";
import { SECTIONS } from "./sections/catalog.js";

export function proxySummary(proxy: ProxyEntry) {
  return {
    name: proxy.name,
    description: proxy.description,
    type: proxy.type,
    relativePath: proxy.relativePath,
  };
}

export function proxyDetail(proxy: ProxyEntry) {
  return {
    ...proxySummary(proxy),
    deploymentList: [...proxy.deployments].map(([environmentName, state]) => ({
      environmentName,
      deployed: state.deployed,
      redeployRequired: state.redeployRequired,
    })),
  };
}

/**
 * `GET .../full` is in the openapi file without its fields documented. Guess: the detail plus
 * `routing.<section key>` holding each section's current settings (`routing.mtls`,
 * `routing.cors`, ...), plain fields in both generations. Kept in this one function so a better
 * guess, or the real shape, is a one-place change.
 */
export function fullProxy(proxy: ProxyEntry) {
  const routing = Object.fromEntries(
    SECTIONS.map(({ key }) => [key, structuredClone(proxy.settings[key])] as const),
  );
  return { ...proxyDetail(proxy), routing };
}
