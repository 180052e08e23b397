import type { Command } from "commander";
import type { Schedule, ScheduleSummary } from "../../contracts/index.js";
import type { Act, Context } from "../context.js";
import { CliError, EXIT } from "../exit-codes.js";
import { table } from "../format.js";
import { atLeast } from "../options.js";
import { collectPages, printPage } from "../paging.js";
import { readObjectFile } from "../rollout-file.js";
import { watchToEnd } from "../watch.js";
import { registerDelete } from "./delete.js";

const EXIT_HELP =
  "\nExit code: 0 done, 3 bad input or refused (a 400, 403, 404 or 409: the message says why), 4 the service is unreachable.\nSchedules are admin only, reading included.";

/** `cron 0 3 * * * (UTC)` or `every 3600s`. */
const when = (s: ScheduleSummary) =>
  s.cron !== null ? `cron ${s.cron} (${s.timezone})` : `every ${(s.every ?? 0) / 1000}s`;
/** A dry-run sweep is an audit: it changes nothing. */
const mode = (s: ScheduleSummary) => (s.rollout.dryRun ? "audit" : "enforce");
const policyOf = (s: ScheduleSummary) => s.rollout.policyRef ?? "inline";

function printSchedule(ctx: Context, s: Schedule): void {
  const rows = [
    ["schedule", when(s)],
    ["mode", `${mode(s)}${s.allowFrequent ? " (allowFrequent)" : ""}`],
    ["policy", policyOf(s)],
    ["gateway", s.rollout.gateway],
    ["next run", s.nextRunAt ?? "-"],
    ["updated", `${s.updatedAt} by ${s.updatedBy}`],
  ];
  ctx.out(`Schedule ${s.name}`);
  for (const line of table(rows)) ctx.out(`  ${line}`);
  if (s.runs.length === 0) {
    ctx.out("No firings yet.");
    return;
  }
  const runs = s.runs.map((r) => [
    r.at,
    r.requestedBy === null ? "schedule" : `run by ${r.requestedBy}`,
    r.rolloutId ?? "-",
    r.status ?? "gone",
    r.reason ?? "",
  ]);
  ctx.out();
  for (const line of table([["FIRED", "HOW", "ROLLOUT", "STATUS", "REASON"], ...runs])) ctx.out(line);
}

/** The file's body; a `name` in it must be the one given (and is not sent). */
async function scheduleBody(file: string, name: string): Promise<Record<string, unknown>> {
  const { name: named, ...body } = await readObjectFile(file, "schedule");
  if (named !== undefined && named !== name) {
    throw new CliError(EXIT.badInput, `${file} names schedule ${String(named)}, not ${name}`);
  }
  return body;
}

function registerWrites(schedules: Command, act: Act) {
  schedules
    .command("put")
    .description("create or replace a compliance sweep (PUT /v1/schedules/NAME)")
    .argument("<name>", "letters, digits, - and _")
    .requiredOption("-f, --file <path>", "{cron | every, timezone?, allowFrequent?, rollout}, JSON or YAML")
    .addHelpText(
      "after",
      `\nExample file (a nightly audit):\n  cron: "0 3 * * *"\n  timezone: Europe/Istanbul\n  rollout: {policyRef: payments-tls, targets: {projects: [Payments]}, dryRun: true}\n${EXIT_HELP}`,
    )
    .action(
      act(async (ctx, command) => {
        const name = command.processedArgs[0] as string;
        const body = await scheduleBody(command.opts<{ file: string }>().file, name);
        const { created, schedule } = await ctx.client.putSchedule(name, body);
        ctx.printJson(schedule);
        ctx.out(
          `Schedule ${schedule.name} ${created ? "created" : "replaced"}: ${when(schedule)}, ${mode(schedule)}`,
        );
        ctx.out(`Next run: ${schedule.nextRunAt ?? "none"}`);
        return EXIT.ok;
      }),
    );

  registerDelete(schedules, act, {
    noun: "Schedule",
    description: "delete a compliance sweep; it fires no more (its rollouts stay)",
    help: EXIT_HELP,
    remove: (ctx, name) => ctx.client.deleteSchedule(name),
  });

  schedules
    .command("run")
    .description("fire a compliance sweep now (refused while its last rollout is still running)")
    .argument("<name>", "the schedule")
    .option("-w, --watch", "follow the rollout it creates; exit with its outcome (0, 1 or 2)")
    .addHelpText("after", EXIT_HELP)
    .action(
      act(async (ctx, command) => {
        const name = command.processedArgs[0] as string;
        const rollout = await ctx.client.runSchedule(name);
        ctx.out(`Schedule ${name} fired: rollout ${rollout.id} (${rollout.status})`);
        if (command.opts<{ watch?: boolean }>().watch) return watchToEnd(ctx, rollout.id);
        ctx.printJson(rollout);
        ctx.out(`Follow it with: enforcer status ${rollout.id} --watch`);
        return EXIT.ok;
      }),
    );
}

function registerReads(schedules: Command, act: Act) {
  schedules
    .command("list")
    .description("list compliance sweeps with their next run, in name order")
    .option("--limit <n>", "at most this many", atLeast(1), 100)
    .addHelpText("after", EXIT_HELP)
    .action(
      act(async (ctx, command) => {
        const { limit } = command.opts<{ limit: number }>();
        const page = await collectPages((n, cursor) => ctx.client.listSchedules({ limit: n, cursor }), limit);
        printPage(ctx, page, {
          header: ["NAME", "SCHEDULE", "MODE", "POLICY", "NEXT RUN", "LAST ROLLOUT"],
          row: (s) => [s.name, when(s), mode(s), policyOf(s), s.nextRunAt ?? "-", s.lastRolloutId ?? "-"],
          empty: "No schedules.",
        });
        return EXIT.ok;
      }),
    );

  schedules
    .command("get")
    .description("show a compliance sweep: its schedule, next run and last firings with their rollouts")
    .argument("<name>", "the schedule")
    .addHelpText("after", EXIT_HELP)
    .action(
      act(async (ctx, command) => {
        const schedule = await ctx.client.getSchedule(command.processedArgs[0] as string);
        ctx.printJson(schedule);
        printSchedule(ctx, schedule);
        return EXIT.ok;
      }),
    );
}

/** `enforcer schedules list|get|put|delete|run`: compliance sweeps (admin). */
export function registerSchedules(program: Command, act: Act): void {
  const schedules = program
    .command("schedules")
    .description("compliance sweeps: a rollout fired on a cron; with dryRun an audit of drift (admin)");
  registerReads(schedules, act);
  registerWrites(schedules, act);
}
