import type { ApinizerClient } from "../gateway/client.js";
import { gatewayStatuses } from "../service/gateway-status.js";
import type { Route } from "./route.js";

export function gatewayRoutes(clients: ReadonlyMap<string, ApinizerClient>): Route[] {
  return [
    {
      method: "get",
      path: "/v1/gateways",
      // Callers only: each request makes two calls per gateway, which an anonymous probe must not trigger.
      role: "viewer",
      summary: "Each configured gateway's reachability (healthcheck) and token validity, checked now",
      handle: async () => ({ status: 200, body: { items: await gatewayStatuses(clients) } }),
    },
  ];
}
