// `enforcer`: the service's HTTP API for people and CI jobs (contract §1). `run` is the whole CLI
// as a function, so tests drive it in-process with captured streams; bin/enforcer.js calls it.
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { registerApply } from "./commands/apply.js";
import { registerAudit } from "./commands/audit.js";
import { registerControl } from "./commands/control.js";
import { registerGateways } from "./commands/gateways.js";
import { registerInspect } from "./commands/inspect.js";
import { registerPlan } from "./commands/plan.js";
import { registerPolicy } from "./commands/policy.js";
import { registerReport } from "./commands/report.js";
import { registerRevert } from "./commands/revert.js";
import { registerSchedules } from "./commands/schedules.js";
import { type Act, type CliIO, contextOf, DEFAULT_URL } from "./context.js";
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.js";
import { terminalLines } from "./terminal-text.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

function program(io: CliIO, act: Act): Command {
  const root = new Command("enforcer")
    .description(
      "Roll a policy out to every API proxy of an Apinizer gateway fleet, via the enforcer service.",
    )
    .version(version)
    .option("--url <url>", `the enforcer service (env ENFORCER_URL, default ${DEFAULT_URL})`)
    .option(
      "--token <token>",
      "a caller's bearer token (env ENFORCER_TOKEN, preferred: arguments show in ps)",
    )
    .option("--json", "print the API's JSON on stdout and nothing else (progress and errors go to stderr)")
    .addHelpText("after", EXIT_CODES_HELP)
    .configureHelp({ showGlobalOptions: true })
    // Commander must not exit the process (tests run in-process) nor write around `io`.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError("(add --help for usage)");
  // Subcommands are created after the settings above so they inherit them.
  registerApply(root, act);
  registerPlan(root, act);
  registerInspect(root, act);
  registerControl(root, act);
  registerRevert(root, act);
  registerReport(root, act);
  registerPolicy(root, act);
  registerSchedules(root, act);
  registerAudit(root, act);
  registerGateways(root, act);
  return root;
}

/** Runs the CLI with `argv` (the arguments after the program name) and returns its exit code. */
export async function run(argv: string[], io: CliIO = process): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const act: Act =
    (handler) =>
    async (...args) => {
      const command = args.at(-1) as Command;
      exitCode = await handler(contextOf(command, io), command);
    };
  try {
    await program(io, act).parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    // Commander has already printed its usage error (or the help/version asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (error instanceof CliError) {
      io.stderr.write(`error: ${terminalLines(error.message)}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`error: unexpected: ${terminalLines(detail)}\n`);
    return EXIT.internal;
  }
}
