import { VERSION } from "../version.js";
import { auditRoutes } from "./audit-routes.js";
import { whoamiRoute } from "./console.js";
import { gatewayRoutes } from "./gateway-routes.js";
import { openApiDocument, openApiRoute } from "./openapi.js";
import { opsRoutes } from "./ops-routes.js";
import { policyRoutes } from "./policy-routes.js";
import { reportRoutes } from "./report-routes.js";
import { rolloutRoutes } from "./rollout-routes.js";
import type { Route } from "./route.js";
import { scheduleRoutes } from "./schedule-routes.js";

/** Stands for a dependency that building a route must not touch (only handling a request may). */
const absent = new Proxy(
  {},
  {
    get(_, property) {
      throw new Error(`building the routes read ${String(property)} of a dependency`);
    },
  },
) as never;

/**
 * An API process's routes with nothing behind them (no Redis, no gateway): enough for the OpenAPI
 * document, in the order runtime.ts serves them. test/api-document.test.ts checks that this
 * document is the one a running service serves.
 */
export function documentRoutes(): Route[] {
  const routes: Route[] = [
    ...opsRoutes({ redis: absent, metrics: absent, metricsToken: undefined }),
    ...rolloutRoutes(absent),
    ...policyRoutes(absent),
    ...scheduleRoutes(absent),
  ];
  routes.push(
    openApiRoute(() => routes, VERSION),
    whoamiRoute,
    ...reportRoutes({ rollout: absent, store: absent }),
    ...auditRoutes(absent),
    ...gatewayRoutes(new Map()),
  );
  return routes;
}

/** The OpenAPI document of an API process, built without starting one. */
export const apiDocument = () => openApiDocument(documentRoutes(), VERSION);
