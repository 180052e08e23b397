import type { ApinizerClient } from "../gateway/client.js";
import { GatewayError } from "../gateway/errors.js";

/** How long `GET /readyz?gateways=1` waits for each manager. */
const CHECK_TIMEOUT_MS = 3_000;

export interface GatewayStatus {
  name: string;
  /** The manager answered its (unauthenticated) healthcheck. */
  reachable: boolean;
  /** The manager accepted the configured token; null when it could not be asked. */
  tokenValid: boolean | null;
  /** Why not, in the manager's words or the transport's (never the token). */
  error?: string;
}

const why = (error: unknown) => (error instanceof GatewayError ? error.gatewayMessage : String(error));

/** Each configured gateway's reachability and token validity, checked side by side. */
export function gatewayStatuses(clients: ReadonlyMap<string, ApinizerClient>): Promise<GatewayStatus[]> {
  return Promise.all(
    [...clients].map(async ([name, client]): Promise<GatewayStatus> => {
      const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
      try {
        await client.healthcheck({ signal });
      } catch (error) {
        return { name, reachable: false, tokenValid: null, error: why(error) };
      }
      try {
        await client.checkToken({ signal });
        return { name, reachable: true, tokenValid: true };
      } catch (error) {
        const refused = error instanceof GatewayError && error.kind === "auth";
        return { name, reachable: true, tokenValid: refused ? false : null, error: why(error) };
      }
    }),
  );
}
