import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { CliError, EXIT } from "./exit-codes.js";

/**
 * A rollout body (contract §3.1) from a JSON or YAML file: by extension, else by content.
 * Only the shape "one object" is checked here; the service validates the fields and its 400
 * names each wrong one, so the CLI and the service can never disagree on what is valid.
 */
export const readRolloutFile = (path: string) => readObjectFile(path, "rollout");

/** One object (a rollout, a named policy, ...: `what`) from a JSON or YAML file. */
export async function readObjectFile(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    // Editors on Windows like to start files with a byte-order mark, which JSON.parse refuses.
    text = (await readFile(path, "utf8")).replace(/^\uFEFF/, "");
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "it is a directory" : e.message;
    throw new CliError(EXIT.badInput, `cannot read ${path}: ${why}`);
  }
  const ext = extname(path).toLowerCase();
  const asJson = ext === ".json" || (ext !== ".yaml" && ext !== ".yml" && /^\s*[{[]/.test(text));
  let value: unknown;
  try {
    value = asJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(
      EXIT.badInput,
      `${path} is not valid ${asJson ? "JSON" : "YAML"}: ${(error as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const got = Array.isArray(value)
      ? "a list"
      : value === null || value === undefined
        ? "nothing"
        : typeof value;
    throw new CliError(EXIT.badInput, `${path} must hold one ${what} object, not ${got}`);
  }
  return value as Record<string, unknown>;
}
