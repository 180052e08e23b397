import { pipeline } from "node:stream/promises";
import { type Command, Option } from "commander";
import type { Act } from "../context.js";
import { CliError, EXIT } from "../exit-codes.js";

/** report: the service's report copied to stdout as it streams in (`> out.csv`), never held whole. */
export function registerReport(program: Command, act: Act): void {
  program
    .command("report")
    .description("write a rollout's report (the rollout, its policy, every target's result) to stdout")
    .argument("<id>", "rollout id")
    .addOption(new Option("--format <format>", "json or csv").choices(["json", "csv"]).default("json"))
    .action(
      act(async (ctx, command) => {
        const id = command.processedArgs[0] as string;
        const { format } = command.opts<{ format: "json" | "csv" }>();
        const body = await ctx.client.openReport(id, format);
        try {
          await pipeline(body, ctx.io.stdout, { end: false });
        } catch (error) {
          // The service drops the connection when it cannot finish: say so, the output is partial.
          throw new CliError(EXIT.unreachable, `the report was cut short: ${(error as Error).message}`);
        }
        return EXIT.ok;
      }),
    );
}
