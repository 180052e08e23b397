// Which Redis the service talks to: one node (REDIS_URL), a primary that Sentinel watches, or a
// Cluster, with the ACL user, password and TLS all three share. Errors name the variable and never
// hold a secret; the parsed URL keeps no credentials (they move to `username`/`password`).
import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError, readSecret, readSecretFile } from "./secrets.js";

export interface RedisEndpoint {
  host: string;
  port: number;
}

interface RedisAuth {
  /** ACL user (undefined: `default`). */
  username: string | undefined;
  password: string | undefined;
  /** TLS towards Redis (and the sentinels); `ca` replaces the system's trusted CAs when set. */
  tls: { ca?: string } | undefined;
}

export type RedisConfig = RedisAuth &
  (
    | { mode: "single"; url: string }
    | {
        mode: "sentinel";
        sentinels: RedisEndpoint[];
        name: string;
        sentinelPassword: string | undefined;
      }
    | { mode: "cluster"; nodes: RedisEndpoint[] }
  );

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
/** More seeds than this is a mistake (a cluster finds its other nodes by itself). */
const MAX_ENDPOINTS = 64;

export const redisEnv = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/ })
    .optional()
    .describe(`A single Redis node (default ${DEFAULT_REDIS_URL}); rediss:// for TLS`),
  REDIS_SENTINELS: z
    .string()
    .optional()
    .describe("Sentinel mode: host:port of each sentinel, comma-separated (with REDIS_SENTINEL_NAME)"),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, . _ - (at most 64)")
    .optional()
    .describe("Sentinel mode: the name the sentinels monitor the primary under"),
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .describe("Cluster mode: host:port of some of the cluster's nodes, comma-separated (the rest are found)"),
  REDIS_USERNAME: z
    .string()
    .regex(/^[^\s:@]{1,128}$/, "an ACL user name without spaces, : or @")
    .optional()
    .describe("ACL user of every Redis connection (default: the `default` user)"),
  REDIS_TLS: z
    .enum(["true", "false"])
    .optional()
    .describe(
      "true: TLS towards the sentinels and nodes (Sentinel and Cluster modes; REDIS_URL says rediss://)",
    ),
  REDIS_TLS_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("PEM file of the CA(s) that signed Redis's certificates (default: the system's)"),
};

type RedisEnv = z.infer<z.ZodObject<typeof redisEnv>>;

const ENDPOINT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)):(\d{1,5})$/;

/** `host:port,host:port` (IPv6 as `[::1]:6379`): refused when empty, malformed or listed twice. */
function parseEndpoints(raw: string, variable: string): RedisEndpoint[] {
  const entries = raw.split(",").map((entry) => entry.trim());
  if (entries.every((entry) => entry === "")) throw new ConfigError(variable, "lists no host:port");
  if (entries.length > MAX_ENDPOINTS) throw new ConfigError(variable, `more than ${MAX_ENDPOINTS} entries`);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const match = ENDPOINT.exec(entry);
    const port = Number(match?.[3]);
    const bracketed = match?.[1];
    if (!match || port < 1 || port > 65535 || (bracketed !== undefined && isIP(bracketed) !== 6))
      throw new ConfigError(variable, `entry ${index + 1} is not host:port (port 1-65535)`);
    const host = (match[1] ?? match[2] ?? "").toLowerCase();
    const key = `${host}:${port}`;
    if (seen.has(key)) throw new ConfigError(variable, `entry ${index + 1} is listed twice`);
    seen.add(key);
    return { host, port };
  });
}

/** Only the variables of one mode may be set: naming both is a start-up error, not a guess. */
function modeOf(e: RedisEnv): "single" | "sentinel" | "cluster" {
  const chosen = (["REDIS_URL", "REDIS_SENTINELS", "REDIS_CLUSTER_NODES"] as const).filter(
    (name) => e[name] !== undefined,
  );
  if (chosen.length > 1)
    throw new ConfigError(chosen.join(", "), "set only one of them: one Redis mode at a time");
  if (e.REDIS_SENTINEL_NAME !== undefined && chosen[0] !== "REDIS_SENTINELS")
    throw new ConfigError("REDIS_SENTINEL_NAME", "only with REDIS_SENTINELS");
  if (chosen[0] === "REDIS_SENTINELS") return "sentinel";
  if (chosen[0] === "REDIS_CLUSTER_NODES") return "cluster";
  return "single";
}

function tlsOf(e: RedisEnv, on: boolean): RedisAuth["tls"] {
  const caFile = e.REDIS_TLS_CA_FILE;
  if (!on) {
    if (caFile !== undefined)
      throw new ConfigError("REDIS_TLS_CA_FILE", "needs TLS: REDIS_TLS=true, or a rediss:// REDIS_URL");
    return undefined;
  }
  return caFile === undefined ? {} : { ca: readSecretFile(caFile, "REDIS_TLS_CA_FILE") };
}

/** A single node's URL without its credentials, which come back as username and password. */
function singleNode(url: string, env: NodeJS.ProcessEnv, e: RedisEnv): RedisConfig {
  if (e.REDIS_TLS !== undefined)
    throw new ConfigError("REDIS_TLS", "with REDIS_URL its scheme says it: rediss:// for TLS");
  const parsed = new URL(url);
  const inUrl = {
    username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
  };
  const password = readSecret(env, "REDIS_PASSWORD");
  if (inUrl.password !== undefined && password !== undefined)
    throw new ConfigError("REDIS_PASSWORD", "REDIS_URL holds a password already; set only one");
  if (inUrl.username !== undefined && e.REDIS_USERNAME !== undefined)
    throw new ConfigError("REDIS_USERNAME", "REDIS_URL holds a user already; set only one");
  parsed.username = "";
  parsed.password = "";
  return {
    mode: "single",
    url: parsed.toString(),
    username: inUrl.username ?? e.REDIS_USERNAME,
    password: inUrl.password ?? password,
    tls: tlsOf(e, parsed.protocol === "rediss:"),
  };
}

/** Resolves the Redis variables (already validated one by one by `redisEnv`) into one mode. */
export function redisConfigOf(env: NodeJS.ProcessEnv, e: RedisEnv): RedisConfig {
  const mode = modeOf(e);
  const sentinelPassword = readSecret(env, "REDIS_SENTINEL_PASSWORD");
  if (mode !== "sentinel" && sentinelPassword !== undefined)
    throw new ConfigError("REDIS_SENTINEL_PASSWORD", "only with REDIS_SENTINELS");
  if (mode === "single") return singleNode(e.REDIS_URL ?? DEFAULT_REDIS_URL, env, e);

  const auth: RedisAuth = {
    username: e.REDIS_USERNAME,
    password: readSecret(env, "REDIS_PASSWORD"),
    tls: tlsOf(e, e.REDIS_TLS === "true"),
  };
  if (mode === "cluster")
    return { mode, nodes: parseEndpoints(e.REDIS_CLUSTER_NODES ?? "", "REDIS_CLUSTER_NODES"), ...auth };
  if (e.REDIS_SENTINEL_NAME === undefined)
    throw new ConfigError("REDIS_SENTINEL_NAME", "required with REDIS_SENTINELS");
  return {
    mode,
    sentinels: parseEndpoints(e.REDIS_SENTINELS ?? "", "REDIS_SENTINELS"),
    name: e.REDIS_SENTINEL_NAME,
    sentinelPassword,
    ...auth,
  };
}
