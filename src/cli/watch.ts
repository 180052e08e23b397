import type { Rollout } from "../contracts/index.js";
import type { Context } from "./context.js";
import { type ExitCode, exitCodeOfStatus } from "./exit-codes.js";
import { followRollout } from "./follow.js";
import { progressDisplay } from "./progress.js";
import { printOutcome } from "./report.js";
import { terminalText } from "./terminal-text.js";

/** Follows a rollout with live progress on stderr until it is paused or terminal. */
export async function watchRollout(ctx: Context, id: string): Promise<Rollout> {
  // Ctrl-C only ends the watch; say so, since people expect it to stop the rollout.
  ctx.io.stderr.write(`Watching ${terminalText(id)} (Ctrl-C stops watching, not the rollout)\n`);
  const display = progressDisplay(ctx.io.stderr);
  try {
    return await followRollout(ctx.client, id, (rollout) => display.update(rollout));
  } finally {
    display.stop();
  }
}

/** `--watch`: follow, then report the outcome and exit with its code (0, 1 or 2). */
export async function watchToEnd(ctx: Context, id: string): Promise<ExitCode> {
  const rollout = await watchRollout(ctx, id);
  ctx.printJson(rollout);
  await printOutcome(ctx, rollout);
  return exitCodeOfStatus(rollout.status);
}
