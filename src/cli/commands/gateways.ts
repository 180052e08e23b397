import type { Command } from "commander";
import type { Act } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { table } from "../format.js";

const token = (valid: boolean | null) => (valid === null ? "unknown" : valid ? "valid" : "refused");

/** `enforcer gateways`: every configured gateway's reachability and token, checked now. */
export function registerGateways(program: Command, act: Act): void {
  program
    .command("gateways")
    .description("check every configured gateway now: does its manager answer, does it accept the token")
    .addHelpText(
      "after",
      "\nExit code: 0 every gateway answers and accepts its token, 1 one does not (worth knowing before a\n" +
        "rollout), 3 the token was refused, 4 the service is unreachable.",
    )
    .action(
      act(async (ctx) => {
        const { items } = await ctx.client.listGateways();
        ctx.printJson({ items });
        const rows = items.map((g) => [
          g.name,
          g.reachable ? "yes" : "no",
          token(g.tokenValid),
          g.error ?? "",
        ]);
        for (const line of table([["GATEWAY", "REACHABLE", "TOKEN", "ERROR"], ...rows])) ctx.out(line);
        return items.every((g) => g.reachable && g.tokenValid === true) ? EXIT.ok : EXIT.failedTargets;
      }),
    );
}
