import type { Command } from "commander";
import type { PolicyDiff, PolicyVersion, PolicyVersionInfo } from "../../contracts/index.js";
import { parsePolicyRef, policyRefSchema } from "../../rollouts/names.js";
import type { Act, Context } from "../context.js";
import { CliError, EXIT } from "../exit-codes.js";
import { table } from "../format.js";
import { atLeast } from "../options.js";
import { collectPages, printPage } from "../paging.js";
import { printWarnings } from "../report.js";
import { readObjectFile } from "../rollout-file.js";
import { registerDelete } from "./delete.js";

const EXIT_HELP =
  "\nExit code: 0 done, 3 bad input or refused (a 400, 404 or 409: the message says why), 4 the service is unreachable.";

function versionRows(versions: PolicyVersionInfo[]): string[] {
  const rows = versions.map((v) => [String(v.version), v.createdAt, v.createdBy, v.description ?? ""]);
  return table([["VERSION", "CREATED", "BY", "DESCRIPTION"], ...rows]);
}

/** A version, or a policy's latest one (whose links differ). */
function printVersion(ctx: Context, v: Omit<PolicyVersion, "links">, latest?: number) {
  ctx.out(`Policy ${v.name} version ${v.version}${v.version === latest ? " (latest)" : ""}`);
  ctx.out(`  created ${v.createdAt} by ${v.createdBy}`);
  if (v.description !== null) ctx.out(`  ${v.description}`);
  for (const line of JSON.stringify(v.policy, null, 2).split("\n")) ctx.out(`  ${line}`);
  printWarnings(ctx, v.warnings);
}

/** `~ path: from → to`, `+ path: value` (added), `- path: value` (removed). */
function printDiff(ctx: Context, diff: PolicyDiff) {
  ctx.out(`Policy ${diff.name}: version ${diff.from} → ${diff.to}`);
  if (diff.changes.length === 0) ctx.out("  No changes.");
  const text = (value: unknown) => JSON.stringify(value);
  for (const { path, from, to } of diff.changes) {
    if (from === null) ctx.out(`+ ${path}: ${text(to)}`);
    else if (to === null) ctx.out(`- ${path}: ${text(from)}`);
    else ctx.out(`~ ${path}: ${text(from)} → ${text(to)}`);
  }
}

/** `NAME` or `NAME@VERSION`, by the rule the service applies to rollouts' policyRef. */
function nameAndVersion(arg: string): { name: string; version?: number } {
  if (!policyRefSchema.safeParse(arg).success) {
    throw new CliError(EXIT.badInput, `${arg} is not NAME or NAME@VERSION (e.g. payments-tls@2)`);
  }
  return parsePolicyRef(arg);
}

function registerApply(policy: Command, act: Act) {
  policy
    .command("apply")
    .description("store a policy file as the policy's next version (PUT /v1/policies/NAME); admin")
    .requiredOption("-f, --file <path>", "{name, description?, policy}, JSON or YAML")
    .option("--if-version <n>", "refuse (exit 3) unless the latest version is still n", atLeast(0))
    .addHelpText("after", `\nExample:\n  enforcer policy apply -f payments-tls.yaml\n${EXIT_HELP}`)
    .action(
      act(async (ctx, command) => {
        const { file, ifVersion } = command.opts<{ file: string; ifVersion?: number }>();
        const { name, ...body } = await readObjectFile(file, "policy");
        if (typeof name !== "string" || name === "") {
          throw new CliError(EXIT.badInput, `${file} must give the policy's name (name: payments-tls)`);
        }
        const stored = await ctx.client.putPolicy(name, body, ifVersion);
        ctx.printJson(stored);
        ctx.out(
          !stored.changed
            ? `Policy ${stored.name} unchanged: version ${stored.version} holds this content already`
            : stored.version === 1
              ? `Policy ${stored.name} created (version 1)`
              : `Policy ${stored.name} is now at version ${stored.version}`,
        );
        ctx.out(
          `Roll it out with "policyRef": "${stored.name}" (or "${stored.name}@${stored.version}" to pin)`,
        );
        return EXIT.ok;
      }),
    );
}

function registerReads(policy: Command, act: Act) {
  policy
    .command("list")
    .description("list policies with their latest version, in name order")
    .option("--limit <n>", "at most this many", atLeast(1), 100)
    .action(
      act(async (ctx, command) => {
        const { limit } = command.opts<{ limit: number }>();
        const page = await collectPages((n, cursor) => ctx.client.listPolicies({ limit: n, cursor }), limit);
        printPage(ctx, page, {
          header: ["NAME", "VERSION", "UPDATED", "BY", "DESCRIPTION"],
          row: (p) => [p.name, String(p.version), p.createdAt, p.createdBy, p.description ?? ""],
          empty: "No policies.",
        });
        return EXIT.ok;
      }),
    );

  policy
    .command("get")
    .description("show a policy's latest version and its history, or one version")
    .argument("<name[@version]>", "e.g. payments-tls or payments-tls@1")
    .addHelpText("after", EXIT_HELP)
    .action(
      act(async (ctx, command) => {
        const { name, version } = nameAndVersion(command.processedArgs[0] as string);
        if (version !== undefined) {
          const found = await ctx.client.getPolicyVersion(name, version);
          ctx.printJson(found);
          printVersion(ctx, found);
          return EXIT.ok;
        }
        const detail = await ctx.client.getPolicy(name);
        ctx.printJson(detail);
        printVersion(ctx, detail, detail.version);
        ctx.out();
        for (const line of versionRows(detail.versions)) ctx.out(line);
        return EXIT.ok;
      }),
    );

  policy
    .command("diff")
    .description(
      "what changed between two versions, setting by setting (default: the latest against the one before)",
    )
    .argument("<name>", "the policy")
    .option("--from <n>", "the older version (0: the empty policy)", atLeast(0))
    .option("--to <n>", "the newer version (default: the latest)", atLeast(1))
    .addHelpText("after", EXIT_HELP)
    .action(
      act(async (ctx, command) => {
        const { from, to } = command.opts<{ from?: number; to?: number }>();
        const diff = await ctx.client.diffPolicy(command.processedArgs[0] as string, { from, to });
        ctx.printJson(diff);
        printDiff(ctx, diff);
        return EXIT.ok;
      }),
    );
}

/** `enforcer policy apply|list|get|diff|delete`: named, versioned policies that rollouts name with policyRef. */
export function registerPolicy(program: Command, act: Act): void {
  const policy = program
    .command("policy")
    .description('named, versioned policies: store one once, roll it out by name ("policyRef")');
  registerApply(policy, act);
  registerReads(policy, act);
  registerDelete(policy, act, {
    noun: "Policy",
    description:
      "delete a policy with all its versions; refused (exit 3) while a schedule refers to it; admin",
    help: EXIT_HELP,
    remove: (ctx, name) => ctx.client.deletePolicy(name),
  });
}
