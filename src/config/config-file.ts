import { readFileSync } from "node:fs";
import type { z } from "zod";
import { ConfigError, readSecretFile } from "./secrets.js";

/** Reads a JSON file named by `variable` and checks it; every problem is a ConfigError naming it. */
export function readConfigFile<S extends z.ZodType>(file: string, schema: S, variable: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(variable, `cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      variable,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

/** Where a config file says a secret is: inline, in an environment variable, or in a file. */
export interface SecretSource {
  value?: string | undefined;
  env?: string | undefined;
  file?: string | undefined;
}

/** The secret and a description of where it came from (for errors: never the value itself). */
export function resolveSecret(
  source: SecretSource,
  env: NodeJS.ProcessEnv,
  variable: string,
): { secret: string | undefined; where: string } {
  if (source.value !== undefined) return { secret: source.value, where: "inline" };
  if (source.file !== undefined)
    return { secret: readSecretFile(source.file, variable), where: `file ${source.file}` };
  return { secret: source.env ? env[source.env] : undefined, where: `env ${source.env}` };
}
