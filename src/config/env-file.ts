import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ConfigError } from "./secrets.js";

/**
 * Loads a dotenv file into `env` once, at process start, before the configuration is read:
 * the file `ENFORCER_ENV_FILE` names (an empty value: no file), else `.env` in the working
 * directory when there is one. A variable already in the environment wins over the file, even
 * an empty one, as with `node --env-file`. (process.loadEnvFile keeps set variables too on
 * Node 20.20, but says nothing either way in its documentation; parsing and assigning here makes
 * the rule this module's, on every Node version.) Answers the file read and how many of its
 * variables it set.
 */
export function loadEnvFile(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): { file: string; applied: number } | undefined {
  const named = env.ENFORCER_ENV_FILE;
  if (named === "") return undefined;
  const file = named ?? join(cwd, ".env");
  if (named === undefined && !existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(named === undefined ? ".env" : "ENFORCER_ENV_FILE", `cannot read ${file}: ${code}`);
  }
  let applied = 0;
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    applied++;
  }
  return { file, applied };
}
