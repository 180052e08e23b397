import { ServiceError } from "./service-error.js";

/**
 * A request names a gateway only by its configured name: an unknown one is a 400 at intake,
 * before anything is stored. `path` is where the name sits in the request body.
 */
export function assertKnownGateway(
  gateways: ReadonlyMap<string, unknown>,
  name: string,
  path = "gateway",
): void {
  if (gateways.has(name)) return;
  const known = [...gateways.keys()].join(", ") || "none configured";
  throw new ServiceError("validation_failed", `unknown gateway ${name}`, [
    { path, message: `no gateway named ${name} is configured (known: ${known})` },
  ]);
}
