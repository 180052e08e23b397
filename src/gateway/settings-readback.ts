// Reading a proxy's current settings back. No documented GET returns them; `GET .../full` exists
// without documented fields, so where the settings sit in its answer is a guess kept in this one
// module (the simulator implements the same guess): change it here once the real shape is known.
import type { CallOptions } from "./client.js";
import { isObject, type JsonObject } from "./envelopes.js";
import { GatewayError } from "./errors.js";

/** Candidate places of a section's settings (by its policy key), most likely first. */
const locations = (key: string): ReadonlyArray<(full: JsonObject) => unknown> => [
  (full) => (isObject(full.routing) ? full.routing[key] : undefined),
  (full) => (isObject(full.routing) ? full.routing[`${key}Settings`] : undefined),
  (full) => full[`${key}Settings`],
  (full) => full[key],
];

export function settingsFromFull(full: JsonObject, key: string): JsonObject | undefined {
  for (const locate of locations(key)) {
    const found = locate(full);
    if (isObject(found)) return found;
  }
  return undefined;
}

export interface FullReader {
  getProxyFull(project: string, name: string, options?: CallOptions): Promise<JsonObject>;
}

/**
 * The proxy's current settings of each section asked for, from one `GET .../full`; a permanent
 * error names the first section the answer holds nowhere expected.
 */
export async function readSettings(
  client: FullReader,
  project: string,
  name: string,
  keys: readonly string[],
  options?: CallOptions,
): Promise<Map<string, JsonObject>> {
  const full = await client.getProxyFull(project, name, options);
  const found = new Map<string, JsonObject>();
  for (const key of keys) {
    const settings = settingsFromFull(full, key);
    if (settings === undefined) {
      throw new GatewayError({
        kind: "permanent",
        operation: "get_proxy_full",
        code: "200",
        httpStatus: 200,
        gatewayMessage: `read-back: the proxy's answer holds no ${key} settings where they were expected`,
      });
    }
    found.set(key, settings);
  }
  return found;
}
