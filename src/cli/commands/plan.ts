import type { Command } from "commander";
import type { Rollout } from "../../contracts/index.js";
import type { Act, Context } from "../context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { formatCounts } from "../format.js";
import { printOutcome, printTargets, printWarnings } from "../report.js";
import { readRolloutFile } from "../rollout-file.js";
import { terminalText } from "../terminal-text.js";
import { watchRollout } from "../watch.js";

/**
 * With read-back every planned target differs from the policy (compliant ones are skipped), field
 * by field. Without it the gateway's current state is unknown: the plan lists what would be written
 * and signals changes (exit 2) only when asked to assume drift.
 */
async function printPlan(ctx: Context, plan: Rollout, assumeDrift: boolean): Promise<ExitCode> {
  printWarnings(ctx, plan.warnings);
  const { planned } = plan.counts;
  if (planned === 0) {
    ctx.out(`No changes: ${formatCounts(plan.counts)}. Nothing to do.`);
    await printTargets(ctx, plan, "skipped", { heading: "Skipped" });
    return EXIT.ok;
  }
  const noun = planned === 1 ? "proxy" : "proxies";
  const known = plan.readBack === true;
  ctx.out(
    known
      ? `Plan: ${planned} ${noun} would change (dry run ${plan.id})`
      : `Plan: ${planned} ${noun} would be written; their current settings are unknown (gateway ${plan.gateway} has no read-back), so some may already comply (dry run ${plan.id})`,
  );
  if (plan.policyRef) ctx.out(`  policy ${plan.policyRef.name} version ${plan.policyRef.version}`);
  for (const [section, settings] of Object.entries(plan.policy)) {
    ctx.out(`  set ${terminalText(section)}: ${terminalText(JSON.stringify(settings))}`);
  }
  if (plan.deploy !== null) ctx.out(`  then deploy to: ${terminalText(plan.deploy.environments.join(", "))}`);
  await printTargets(ctx, plan, "planned", {
    heading: known ? "Would change" : "Would be written",
    marker: "~ ",
  });
  await printTargets(ctx, plan, "skipped", { heading: "Skipped" });
  if (known || assumeDrift) return EXIT.planHasChanges;
  ctx.out(
    "Exit 0: without read-back nothing is known to differ; pass --assume-drift to exit 2 whenever anything would be written.",
  );
  return EXIT.ok;
}

export function registerPlan(program: Command, act: Act): void {
  program
    .command("plan")
    .description("dry run: show which proxies a rollout file would change, field by field, sending nothing")
    .requiredOption("-f, --file <path>", "the rollout body, JSON or YAML (dryRun is forced on)")
    .option(
      "--assume-drift",
      "without read-back, exit 2 when anything would be written (treat unknown as drift)",
    )
    .addHelpText(
      "after",
      "\nExit code (as terraform plan -detailed-exitcode): 0 nothing would change, 2 changes would be made,\n" +
        "1 the dry run itself failed (e.g. maxTargets exceeded, a named proxy missing), 3/4 as in enforcer --help.\n" +
        "With read-back (the gateway's readBack: full) only proxies that differ are planned, with the fields\n" +
        "that differ (current -> wanted). Without it their state is unknown: exit 2 then needs --assume-drift.",
    )
    .action(
      act(async (ctx, command) => {
        const { file, assumeDrift } = command.opts<{ file: string; assumeDrift?: boolean }>();
        const body = { ...(await readRolloutFile(file)), dryRun: true };
        const { rollout } = await ctx.client.createRollout(body);
        const plan = await watchRollout(ctx, rollout.id);
        ctx.printJson(plan);
        if (plan.status !== "succeeded") {
          // A dry run that failed, paused or was cancelled says nothing reliable about changes.
          await printOutcome(ctx, plan);
          return EXIT.failedTargets;
        }
        return printPlan(ctx, plan, assumeDrift === true);
      }),
    );
}
