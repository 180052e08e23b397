import { type Command, Option } from "commander";
import { ROLLOUT_STATUSES, TARGET_STATUSES } from "../../engine/lifecycle.js";
import { deploymentsText } from "../../service/target-deployments.js";
import type { Act } from "../context.js";
import { EXIT, exitCodeOfStatus } from "../exit-codes.js";
import { doneCount, targetDetail, targetName } from "../format.js";
import { atLeast } from "../options.js";
import { collectPages, printPage } from "../paging.js";
import { printStatus } from "../report.js";
import { watchToEnd } from "../watch.js";

export function registerInspect(program: Command, act: Act): void {
  program
    .command("status")
    .description("show a rollout; the exit code is its outcome so far")
    .addHelpText(
      "after",
      "\nExit code: 0 succeeded (or still planning/running), 1 failed, 2 paused or cancelled, 3/4 as in enforcer --help.",
    )
    .argument("<id>", "rollout id")
    .option("-w, --watch", "follow progress until the rollout finishes or pauses")
    .action(
      act(async (ctx, command) => {
        const id = command.processedArgs[0] as string;
        if (command.opts<{ watch?: boolean }>().watch) return watchToEnd(ctx, id);
        const rollout = await ctx.client.getRollout(id);
        ctx.printJson(rollout);
        await printStatus(ctx, rollout);
        return exitCodeOfStatus(rollout.status);
      }),
    );

  program
    .command("list")
    .description("list rollouts, newest first")
    .addOption(new Option("--status <status>", "only rollouts in this status").choices(ROLLOUT_STATUSES))
    .option("--limit <n>", "at most this many", atLeast(1), 20)
    .action(
      act(async (ctx, command) => {
        const { status, limit } = command.opts<{ status?: string; limit: number }>();
        const page = await collectPages(
          (n, cursor) => ctx.client.listRollouts({ status, limit: n, cursor }),
          limit,
        );
        printPage(ctx, page, {
          header: ["ID", "STATUS", "DONE", "FAILED", "CREATED", "BY", "DESCRIPTION"],
          row: (r) => [
            r.id,
            r.status + (r.dryRun ? " (dry run)" : ""),
            `${doneCount(r.counts)}/${r.counts.total}`,
            String(r.counts.failed),
            r.createdAt,
            r.createdBy,
            r.description ?? "",
          ],
          empty: "No rollouts.",
        });
        return EXIT.ok;
      }),
    );

  program
    .command("targets")
    .description("list a rollout's targets with their results, in target order")
    .argument("<id>", "rollout id")
    .addOption(new Option("--status <status>", "only targets in this status").choices(TARGET_STATUSES))
    .option("--limit <n>", "at most this many", atLeast(1), 100)
    .action(
      act(async (ctx, command) => {
        const id = command.processedArgs[0] as string;
        const { status, limit } = command.opts<{ status?: string; limit: number }>();
        const page = await collectPages(
          (n, cursor) => ctx.client.listTargets(id, { status, limit: n, cursor }),
          limit,
        );
        // An after-save rollout's targets also say how each environment's deployment went.
        const deploys = page.items.some((t) => t.deployments !== undefined);
        printPage(ctx, page, {
          header: ["TARGET", "STATUS", "WAVE", "ATTEMPTS", ...(deploys ? ["DEPLOYMENTS"] : []), "DETAIL"],
          row: (t) => [
            targetName(t),
            t.status,
            String(t.wave),
            String(t.attempts),
            ...(deploys ? [deploymentsText(t.deployments ?? [])] : []),
            targetDetail(t),
          ],
          empty: status === undefined ? "No targets." : `No ${status} targets.`,
        });
        return EXIT.ok;
      }),
    );
}
