import type { Command } from "commander";
import type { Act } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { watchToEnd } from "../watch.js";

/** revert: a new rollout writing back what the rollout replaced, where nothing changed since. */
export function registerRevert(program: Command, act: Act): void {
  program
    .command("revert")
    .description(
      "undo a finished rollout: a new rollout writes each proxy's previous settings back, only where the proxy still holds what it wrote (needs the gateway's read-back)",
    )
    .argument("<id>", "the rollout to undo")
    .option("-w, --watch", "follow the revert until it finishes or pauses; exit with its outcome")
    .addHelpText(
      "after",
      "\nExit code: 0 the revert was created (with --watch: it succeeded), 1/2 with --watch as for apply,\n" +
        "3 refused: unknown rollout, no read-back, a dry run, or not finished yet (the message says which).\n" +
        "Reverting the same rollout again returns the first revert.",
    )
    .action(
      act(async (ctx, command) => {
        const id = command.processedArgs[0] as string;
        const { created, rollout } = await ctx.client.revert(id);
        ctx.out(
          created
            ? `Rollout ${rollout.id} created to revert ${id} (${rollout.status})`
            : `Rollout ${id} was reverted before, by ${rollout.id} (${rollout.status})`,
        );
        if (command.opts<{ watch?: boolean }>().watch) return watchToEnd(ctx, rollout.id);
        ctx.printJson(rollout);
        ctx.out(`Follow it with: enforcer status ${rollout.id} --watch`);
        return EXIT.ok;
      }),
    );
}
