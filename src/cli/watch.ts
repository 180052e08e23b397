import { setTimeout as sleep } from "node:timers/promises";
import type { Rollout } from "../contracts/index.js";
import type { Context } from "./context.js";
import { type ExitCode, exitCodeOfStatus } from "./exit-codes.js";
import { followRollout } from "./follow.js";
import { progressDisplay } from "./progress.js";
import { printOutcome } from "./report.js";
import { terminalText } from "./terminal-text.js";

const PHASE_POLL_MS = 250;

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

/** The id of an after-save rollout's `index`-th phase once created; undefined if it never will be. */
async function phaseId(ctx: Context, rootId: string, index: number): Promise<string | undefined> {
  for (;;) {
    const root = await ctx.client.getRollout(rootId);
    const id = root.phases[index]?.rolloutId;
    if (id) return id;
    if (root.phasesReason !== null || root.phases[index] === undefined) return undefined;
    // The phase is created from the root's events, a moment after it ended.
    await sleep(PHASE_POLL_MS);
  }
}

/**
 * Follows an after-save rollout's deploy phases in turn, each while the one before succeeded:
 * the last rollout followed (the root itself when it did not succeed or has no phases).
 */
async function followPhases(ctx: Context, root: Rollout): Promise<Rollout> {
  let last = root;
  for (const [index, phase] of root.phases.entries()) {
    if (last.status !== "succeeded") break;
    const id = await phaseId(ctx, root.id, index);
    if (id === undefined) break;
    ctx.io.stderr.write(`Deploying to ${terminalText(phase.environment)}: ${id}\n`);
    last = await watchRollout(ctx, id);
  }
  return last;
}

/**
 * `--watch`: follow (an after-save rollout through its deploy phases), then report the outcome
 * and exit with its code (0, 1 or 2): the last phase's when the saves succeeded.
 */
export async function watchToEnd(ctx: Context, id: string): Promise<ExitCode> {
  const watched = await watchRollout(ctx, id);
  const last = await followPhases(ctx, watched);
  const rollout = last === watched ? watched : await ctx.client.getRollout(id);
  ctx.printJson(rollout);
  await printOutcome(ctx, rollout);
  return exitCodeOfStatus(last.status);
}
