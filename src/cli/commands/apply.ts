import type { Command } from "commander";
import type { Act } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { readRolloutFile } from "../rollout-file.js";
import { watchToEnd } from "../watch.js";

export function registerApply(program: Command, act: Act): void {
  program
    .command("apply")
    .description("create a rollout from a file (POST /v1/rollouts)")
    .requiredOption("-f, --file <path>", "the rollout body, JSON or YAML")
    .option("-w, --watch", "follow progress until the rollout finishes or pauses; exit with its outcome")
    .option("--idempotency-key <key>", "the same key and body return the first rollout instead of a new one")
    .addHelpText("after", "\nExample:\n  enforcer apply -f rollout.yaml --watch --idempotency-key CHG-1234")
    .action(
      act(async (ctx, command) => {
        const options = command.opts<{ file: string; watch?: boolean; idempotencyKey?: string }>();
        const body = await readRolloutFile(options.file);
        const { created, rollout } = await ctx.client.createRollout(body, options.idempotencyKey);
        ctx.out(
          created
            ? `Rollout ${rollout.id} created (${rollout.status})`
            : `Rollout ${rollout.id} already exists for this idempotency key (${rollout.status})`,
        );
        if (options.watch) return watchToEnd(ctx, rollout.id);
        ctx.printJson(rollout);
        ctx.out(`Follow it with: enforcer status ${rollout.id} --watch`);
        return EXIT.ok;
      }),
    );
}
