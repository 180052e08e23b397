/** The CLI's exit codes (contract §1): scripts and CI jobs branch on these, so they never change. */
export const EXIT = {
  ok: 0,
  /** Also `gateways`: a gateway does not answer or refuses its token. */
  failedTargets: 1,
  pausedOrCancelled: 2,
  /** `plan` only, as Terraform's `plan -detailed-exitcode`: the rollout would change something. */
  planHasChanges: 2,
  badInput: 3,
  unreachable: 4,
  internal: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  all targets succeeded (or the command did what was asked)
  1  the rollout finished with failed targets (or failed to plan);
     for "gateways": a gateway does not answer or refuses its token
  2  the rollout is paused or cancelled; for "plan": changes would be made
  3  bad input: unreadable or invalid file, refused request (400/404/409),
     token refused (401) or role not allowed (403)
  4  cannot reach the service, or it could not answer (5xx)
  5  unexpected error in enforcer itself`;

/** An expected failure: its message is for the user, its code for the shell. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** What a rollout in `status` means for a script: the outcome codes 0, 1 and 2. */
export function exitCodeOfStatus(status: string): ExitCode {
  if (status === "failed") return EXIT.failedTargets;
  if (status === "paused" || status === "cancelled") return EXIT.pausedOrCancelled;
  return EXIT.ok;
}
