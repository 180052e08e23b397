import type { PolicyWarning, Rollout } from "../contracts/index.js";
import { deploymentsText } from "../service/target-deployments.js";
import type { Context } from "./context.js";
import { formatChange, formatCounts, formatTarget, stopReason, table } from "./format.js";
import { collectPages } from "./paging.js";
import { terminalText } from "./terminal-text.js";

/** Enough to act on without flooding a terminal; the rest is one `enforcer targets` away. */
const LIST_AT_MOST = 20;

/** Up to 20 targets of `status`, one a line, with a count of the rest and the command listing them. */
/** A policy's lint findings, one line each (terminal-safe). */
export function printWarnings(ctx: Context, warnings: readonly PolicyWarning[] = []): void {
  for (const w of warnings) ctx.out(`warning: ${terminalText(`${w.path}: ${w.message} (${w.code})`)}`);
}

export async function printTargets(
  ctx: Context,
  rollout: Rollout,
  status: string,
  options: { heading: string; marker?: string },
): Promise<void> {
  const count = rollout.counts[status as keyof Rollout["counts"]] ?? 0;
  if (count === 0) return;
  const page = await collectPages(
    (limit, cursor) => ctx.client.listTargets(rollout.id, { status, limit, cursor }),
    LIST_AT_MOST,
  );
  ctx.out(`${options.heading} (${count}):`);
  for (const target of page.items) {
    ctx.out(`  ${options.marker ?? ""}${formatTarget(target)}`);
    if (target.deployments) ctx.out(`      ${terminalText(deploymentsText(target.deployments))}`);
    for (const line of (target.changes ?? []).flatMap(formatChange)) ctx.out(`      ${line}`);
  }
  const rest = count - page.items.length;
  if (rest > 0) ctx.out(`  ... and ${rest} more: enforcer targets ${rollout.id} --status ${status}`);
}

/** Where a rollout stands, why it stopped, its failed targets and what to do next. */
export async function printOutcome(ctx: Context, rollout: Rollout): Promise<void> {
  const { id, status } = rollout;
  ctx.out(`Rollout ${id} ${status}${rollout.dryRun ? " (dry run)" : ""}: ${formatCounts(rollout.counts)}`);
  const reason = stopReason(rollout);
  if (reason !== undefined) ctx.out(`  reason: ${reason}`);
  if ((rollout.ranAfterPause ?? 0) > 0) {
    ctx.out(`  ${rollout.ranAfterPause} in-flight targets finished after it was paused`);
  }
  await printTargets(ctx, rollout, "failed", { heading: "Failed targets" });
  await printPhases(ctx, rollout);
  if (status === "paused") ctx.out(`Resume with: enforcer resume ${id}  (or stop it: enforcer cancel ${id})`);
  if (status === "failed" && rollout.counts.failed > 0)
    ctx.out(`Retry the failed targets: enforcer retry ${id}`);
}

/**
 * A deploy phase says what it deploys; an after-save rollout lists its phases, why the next
 * environment is not deployed, and each phase's failed deployments.
 */
async function printPhases(ctx: Context, rollout: Rollout): Promise<void> {
  if (rollout.phaseOf !== null) {
    ctx.out(`  deploys the targets of ${rollout.phaseOf} to ${terminalText(rollout.environment ?? "")}`);
  }
  if (rollout.phases.length === 0) return;
  ctx.out("Deploy phases:");
  const rows = rollout.phases.map((p) => [p.environment, p.status, p.rolloutId ?? "-"]);
  for (const line of table(rows)) ctx.out(`  ${line}`);
  if (rollout.phasesReason !== null) ctx.out(`  ${terminalText(rollout.phasesReason)}`);
  for (const phase of rollout.phases) {
    if (phase.rolloutId === null || phase.status === "not_started") continue;
    const deployed = await ctx.client.getRollout(phase.rolloutId);
    await printTargets(ctx, deployed, "failed", {
      heading: `Failed deployments to ${terminalText(phase.environment)}`,
    });
  }
}

/** `enforcer status`: the rollout's particulars, then its outcome so far. */
export async function printStatus(ctx: Context, rollout: Rollout): Promise<void> {
  const rows = [
    ["description", rollout.description ?? "-"],
    ["gateway", rollout.gateway],
    ["created", `${rollout.createdAt} by ${rollout.createdBy}`],
    ["started", rollout.startedAt ?? "-"],
    ["finished", rollout.finishedAt ?? "-"],
    ["wave", `${rollout.wave.current}/${rollout.wave.total}`],
  ];
  for (const line of table(rows)) ctx.out(`  ${line}`);
  await printOutcome(ctx, rollout);
}
