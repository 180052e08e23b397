import type { Command } from "commander";
import type { Rollout } from "../api-types.js";
import type { Act, Context } from "../context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { formatCounts } from "../format.js";
import { printOutcome, printTargets } from "../report.js";
import { readRolloutFile } from "../rollout-file.js";
import { watchRollout } from "../watch.js";

async function printPlan(ctx: Context, plan: Rollout): Promise<ExitCode> {
  const { planned } = plan.counts;
  if (planned === 0) {
    ctx.out(`No changes: ${formatCounts(plan.counts)}. Nothing to do.`);
    await printTargets(ctx, plan, "skipped", { heading: "Skipped" });
    return EXIT.ok;
  }
  ctx.out(`Plan: ${planned} ${planned === 1 ? "proxy" : "proxies"} would change (dry run ${plan.id})`);
  if (plan.policyRef) ctx.out(`  policy ${plan.policyRef.name} version ${plan.policyRef.version}`);
  for (const [section, settings] of Object.entries(plan.policy)) {
    ctx.out(`  set ${section}: ${JSON.stringify(settings)}`);
  }
  if (plan.deploy !== null) ctx.out(`  then deploy to: ${plan.deploy.environments.join(", ")}`);
  await printTargets(ctx, plan, "planned", { heading: "Would change", marker: "~ " });
  await printTargets(ctx, plan, "skipped", { heading: "Skipped" });
  return EXIT.planHasChanges;
}

export function registerPlan(program: Command, act: Act): void {
  program
    .command("plan")
    .description("dry run: show which proxies a rollout file would change, sending nothing")
    .requiredOption("-f, --file <path>", "the rollout body, JSON or YAML (dryRun is forced on)")
    .addHelpText(
      "after",
      "\nExit code (as terraform plan -detailed-exitcode): 0 nothing would change, 2 changes would be made,\n" +
        "1 the dry run itself failed (e.g. maxTargets exceeded, a named proxy missing), 3/4 as in enforcer --help.",
    )
    .action(
      act(async (ctx, command) => {
        const { file } = command.opts<{ file: string }>();
        const body = { ...(await readRolloutFile(file)), dryRun: true };
        const { rollout } = await ctx.client.createRollout(body);
        const plan = await watchRollout(ctx, rollout.id);
        ctx.printJson(plan);
        if (plan.status !== "succeeded") {
          // A dry run that failed, paused or was cancelled says nothing reliable about changes.
          await printOutcome(ctx, plan);
          return EXIT.failedTargets;
        }
        return printPlan(ctx, plan);
      }),
    );
}
