import { Writable } from "node:stream";
import { run } from "../../src/cli/main.js";

/** A stream that keeps what is written to it. */
export function capture() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs the `enforcer` CLI in-process against `url` with `token`; `env` adds to (or overrides) both. */
export async function runCli(url: string, token: string, args: string[], env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await run(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { ENFORCER_URL: url, ENFORCER_TOKEN: token, ...env },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
