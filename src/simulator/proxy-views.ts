// The JSON shapes of a proxy in list, detail and "full" answers.
import { copyMtls, type ProxyEntry } from "./fleet.js";

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
 * `routing.mtls` holding the current settings. Kept in this one function so a better guess, or
 * the real shape, is a one-place change.
 */
export function fullProxy(proxy: ProxyEntry) {
  return { ...proxyDetail(proxy), routing: { mtls: copyMtls(proxy.mtls) } };
}
