import { readFileSync } from "node:fs";
import type { RedisClient } from "./redis-client.js";

/** The text of a Lua file that ships beside the module at `moduleUrl` (pass `import.meta.url`). */
export const luaSource = (moduleUrl: string, file: string): string =>
  readFileSync(new URL(file, moduleUrl), "utf8");

/** A Lua script callable as a function: KEYS first (or, without a fixed count, their number). */
export type RedisScript<R> = (...args: Array<string | number>) => Promise<R>;

/**
 * Defines `lua` on the connection (EVALSHA, falling back to EVAL once per connection) and returns
 * it as a function. `numberOfKeys` undefined: the caller passes the key count first.
 */
export function defineScript<R>(
  redis: RedisClient,
  name: string,
  lua: string,
  numberOfKeys?: number,
): RedisScript<R> {
  redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, RedisScript<R> | undefined>)[name];
  if (command === undefined) throw new Error(`Redis script ${name} was not defined`);
  return command.bind(redis);
}
