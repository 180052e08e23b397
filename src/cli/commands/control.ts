import type { Command } from "commander";
import type { ControlAction } from "../../engine/lifecycle.js";
import type { Act } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { watchToEnd } from "../watch.js";

const ACTIONS: Array<{ action: ControlAction; description: string; watchable: boolean }> = [
  {
    action: "pause",
    description: "pause a running rollout: in-flight calls finish, no new ones start",
    watchable: false,
  },
  { action: "resume", description: "resume a paused rollout", watchable: true },
  {
    action: "cancel",
    description: "cancel a rollout: every pending target ends cancelled",
    watchable: false,
  },
  { action: "retry", description: "re-queue the failed targets of a rollout", watchable: true },
];

/** pause|resume|cancel|retry: exit 0 when the service accepted the action, 3 when the state refuses it. */
export function registerControl(program: Command, act: Act): void {
  for (const { action, description, watchable } of ACTIONS) {
    const command = program.command(action).description(description).argument("<id>", "rollout id");
    if (watchable) command.option("-w, --watch", "then follow progress; exit with the rollout's outcome");
    command.action(
      act(async (ctx, cmd) => {
        const id = cmd.processedArgs[0] as string;
        const rollout = await ctx.client.control(id, action);
        ctx.out(`Rollout ${rollout.id} is ${rollout.status}`);
        if (cmd.opts<{ watch?: boolean }>().watch) return watchToEnd(ctx, id);
        ctx.printJson(rollout);
        return EXIT.ok;
      }),
    );
  }
}
