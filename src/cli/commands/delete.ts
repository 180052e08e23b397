import type { Command } from "commander";
import type { Act, Context } from "../context.js";
import { EXIT } from "../exit-codes.js";

/** `<noun> delete NAME`: prints `{"name": NAME, "deleted": true}` with --json, a line without. */
export function registerDelete(
  parent: Command,
  act: Act,
  what: {
    noun: string;
    description: string;
    help: string;
    remove: (ctx: Context, name: string) => Promise<void>;
  },
): void {
  parent
    .command("delete")
    .description(what.description)
    .argument("<name>", `the ${what.noun.toLowerCase()}`)
    .addHelpText("after", `${what.help}\nWith --json it prints {"name": NAME, "deleted": true}.`)
    .action(
      act(async (ctx, command) => {
        const name = command.processedArgs[0] as string;
        await what.remove(ctx, name);
        ctx.printJson({ name, deleted: true });
        ctx.out(`${what.noun} ${name} deleted`);
        return EXIT.ok;
      }),
    );
}
