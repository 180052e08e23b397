// Reading a proxy's current mTLS settings back. No documented GET returns them; `GET .../full`
// exists without documented fields, so where the settings sit in its answer is a guess kept in
// this one module (the simulator implements the same guess): change it here once the real shape
// is known.
import type { CallOptions } from "./client.js";
import { GatewayError } from "./errors.js";
import type { MtlsSettings } from "./types.js";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Candidate places, most likely first. */
const LOCATIONS: ReadonlyArray<(full: Json) => unknown> = [
  (full) => (isObject(full.routing) ? full.routing.mtls : undefined),
  (full) => (isObject(full.routing) ? full.routing.mtlsSettings : undefined),
  (full) => full.mtls,
];

export function mtlsFromFull(full: Json): MtlsSettings | undefined {
  for (const locate of LOCATIONS) {
    const found = locate(full);
    if (isObject(found)) return found as MtlsSettings;
  }
  return undefined;
}

export interface FullReader {
  getProxyFull(project: string, name: string, options?: CallOptions): Promise<Json>;
}

/** The proxy's current settings; a permanent error when the answer holds none where expected. */
export async function readMtls(client: FullReader, project: string, name: string, options?: CallOptions) {
  const settings = mtlsFromFull(await client.getProxyFull(project, name, options));
  if (settings === undefined) {
    throw new GatewayError({
      kind: "permanent",
      operation: "get_proxy_full",
      code: "200",
      httpStatus: 200,
      gatewayMessage: "read-back: the proxy's answer holds no mTLS settings where they were expected",
    });
  }
  return settings;
}

const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && [...a].sort().join() === [...b].sort().join() // a protocol list is a set
    : a === b;

/** The fields `wanted` sets that `current` holds differently (empty: compliant). */
export function mtlsDifferences(current: MtlsSettings, wanted: MtlsSettings): string[] {
  return Object.entries(wanted)
    .filter(([field, value]) => value !== undefined && !same(current[field as keyof MtlsSettings], value))
    .map(([field]) => field);
}

/** What the proxy held in each field `wanted` will change: written back by a revert. */
export function beforeImage(current: MtlsSettings, wanted: MtlsSettings): MtlsSettings {
  const image: Record<string, unknown> = {};
  for (const field of Object.keys(wanted)) {
    const value = current[field as keyof MtlsSettings];
    if (value !== undefined) image[field] = value;
  }
  return image as MtlsSettings;
}
