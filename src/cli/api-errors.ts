import type { ApiErrorBody } from "../contracts/index.js";
import { CliError, EXIT } from "./exit-codes.js";
import { terminalText } from "./terminal-text.js";

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as ApiErrorBody).error === "string" &&
    typeof (body as ApiErrorBody).message === "string"
  );
}

/** Every `details` entry on a line of its own: a file with three mistakes shows all three at once. */
function withDetails(message: string, body: ApiErrorBody): string {
  const lines = (body.details ?? []).map((d) => `  ${terminalText(`${d.path}: ${d.message}`)}`);
  return [message, ...lines].join("\n");
}

/** An error answer of the service (contract §3.8) as the user's message and the shell's exit code. */
export function apiError(status: number, body: unknown, baseUrl: string, hadToken: boolean): CliError {
  if (!isApiErrorBody(body)) {
    // Not the service's error shape: a proxy or another server answered, or the URL is wrong.
    return new CliError(
      EXIT.unreachable,
      `unexpected answer HTTP ${status} from ${baseUrl} (is --url right?)`,
    );
  }
  if (status === 401) {
    return new CliError(
      EXIT.badInput,
      hadToken
        ? "the token was refused (HTTP 401): check --token or ENFORCER_TOKEN"
        : "the service needs a token: pass --token or set ENFORCER_TOKEN",
    );
  }
  // On a line of its own: a line break in it must not pass for one of ours.
  const message = terminalText(body.message);
  if (status === 403) return new CliError(EXIT.badInput, `your role cannot do this (HTTP 403): ${message}`);
  if (status >= 500) {
    return new CliError(EXIT.unreachable, `the service could not answer (HTTP ${status}): ${message}`);
  }
  return new CliError(EXIT.badInput, withDetails(`${message} (HTTP ${status})`, body));
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** A request that got no answer at all: refused connection, unknown host, reset, timeout. */
export function transportError(error: unknown, baseUrl: string): CliError {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new CliError(EXIT.unreachable, `the service at ${baseUrl} did not answer in time (${code})`);
  }
  return new CliError(
    EXIT.unreachable,
    `cannot reach the service at ${baseUrl} (${code ?? e.message ?? error})`,
  );
}
