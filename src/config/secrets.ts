import { readFileSync } from "node:fs";

/** A start-up configuration problem; names the variable, never a secret's value. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = "ConfigError";
  }
}

/** Reads a secret file (trailing newline trimmed); `variable` names where the path came from. */
export function readSecretFile(path: string, variable: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new ConfigError(
      variable,
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}

/** Reads a secret from `NAME`, or from the file named by `NAME_FILE`. */
export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct) return direct;
  const file = env[`${name}_FILE`];
  return file ? readSecretFile(file, `${name}_FILE`) : undefined;
}
