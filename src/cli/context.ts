import type { Command } from "commander";
import { type ApiClient, apiClient } from "./api-client.js";
import type { ExitCode } from "./exit-codes.js";
import type { ProgressStream } from "./progress.js";
import { terminalText } from "./terminal-text.js";

export const DEFAULT_URL = "http://127.0.0.1:8080";

/** Where the CLI reads and writes: the process's streams, or captured ones in tests. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
}

/** What every command needs: the API, the output mode, and a way to print. */
export interface Context {
  client: ApiClient;
  io: CliIO;
  json: boolean;
  /**
   * A human line on stdout, made terminal-safe whatever it holds (the service's names and
   * messages); nothing in --json mode, where stdout holds only JSON, exactly as received.
   */
  out(line?: string): void;
  /** The API's JSON on stdout, in --json mode only. */
  printJson(value: unknown): void;
}

/** A command's body: reads its arguments from `command`, returns the exit code. */
export type Handler = (ctx: Context, command: Command) => Promise<ExitCode>;
/** Turns a handler into a commander action that records its exit code. */
export type Act = (handler: Handler) => (...args: unknown[]) => Promise<void>;

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Built when a command runs, so an invalid --url is reported by that command (exit 3). */
export function contextOf(command: Command, io: CliIO): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  const json = options.json === true;
  return {
    client: apiClient({
      url: options.url ?? io.env.ENFORCER_URL ?? DEFAULT_URL,
      token: options.token ?? io.env.ENFORCER_TOKEN,
    }),
    io,
    json,
    out(line = "") {
      if (!json) io.stdout.write(`${terminalText(line)}\n`);
    },
    printJson(value) {
      if (json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
