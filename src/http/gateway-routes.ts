import { gatewayListContract } from "../contracts/index.js";
import type { ApinizerClient } from "../gateway/client.js";
import { gatewayStatuses } from "../service/gateway-status.js";
import { json } from "./responses.js";
import type { Route } from "./route.js";

export function gatewayRoutes(clients: ReadonlyMap<string, ApinizerClient>): Route[] {
  return [
    {
      method: "get",
      path: "/v1/gateways",
      // Callers only: each request makes two calls per gateway, which an anonymous probe must not trigger.
      role: "viewer",
      operationId: "listGateways",
      summary: "Each configured gateway's reachability (healthcheck) and token validity, checked now",
      description:
        "Two calls to each manager, side by side, at most 3 s each; the token itself never appears.",
      responses: { 200: json("Every configured gateway", gatewayListContract) },
      handle: async () => ({ status: 200, body: { items: await gatewayStatuses(clients) } }),
    },
  ];
}
