import type { Command } from "commander";
import type { AuditEntry } from "../../contracts/index.js";
import type { Act } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { atLeast } from "../options.js";
import { collectPages, printPage } from "../paging.js";

/** What an entry is about: a rollout, a schedule, a policy version. */
function subject(e: AuditEntry): string {
  const parts = [
    e.rolloutId,
    e.schedule === undefined ? undefined : `schedule ${e.schedule}`,
    e.policy === undefined
      ? undefined
      : `policy ${e.policy}${e.version === undefined ? "" : `@${e.version}`}`,
  ];
  return parts.filter((p) => p !== undefined).join(", ");
}

/** `enforcer audit`: the audit trail, oldest first (admin). */
export function registerAudit(program: Command, act: Act): void {
  program
    .command("audit")
    .description("the audit trail, oldest first: who changed what, when (admin)")
    .option(
      "--since <cursor|time>",
      "after this entry id (the last line's `more` hint), or from this ISO time",
    )
    .option("--limit <n>", "at most this many entries", atLeast(1), 100)
    .addHelpText(
      "after",
      "\nExamples:\n  enforcer audit --since 2025-01-31T00:00:00Z\n  enforcer audit --since 1718000000000-0 --limit 500\n" +
        "\nExit code: 0 done, 3 a bad --since or a role below admin, 4 the service is unreachable.",
    )
    .action(
      act(async (ctx, command) => {
        const { since, limit } = command.opts<{ since?: string; limit: number }>();
        const page = await collectPages(
          (n, cursor) => ctx.client.listAudit({ since: cursor ?? since, limit: n }),
          limit,
        );
        printPage(ctx, page, {
          header: ["AT", "ACTOR", "ACTION", "SUBJECT", "STATUS", "DETAIL"],
          row: (e) => [e.at, e.actor, e.action, subject(e), e.status ?? "", e.detail ?? ""],
          empty: "No entries.",
          more: `(more: enforcer audit --since ${page.nextCursor})`,
        });
        return EXIT.ok;
      }),
    );
}
