// What the CLI prints for people: names and messages from the service (and the gateway behind it)
// reach the terminal with their control and bidi characters escaped, never obeyed.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { apiError } from "../src/cli/api-errors.js";
import { formatTarget, stopReason, table, targetDetail } from "../src/cli/format.js";
import { progressDisplay } from "../src/cli/progress.js";
import { terminalLines, terminalText } from "../src/cli/terminal-text.js";
import type { Rollout, Target } from "../src/contracts/index.js";

/** Clears the screen, reverses what follows, returns to the line's start, rings the bell. */
const HOSTILE = "evil\x1b[2J\u202e\r\x07";
const ESCAPED = "evil\\x1b[2J\\u202e\\r\\x07";
/** Anything a terminal would act on or reorder. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const target = (fields: Partial<Target> = {}): Target => ({
  index: 0,
  project: "Payments",
  proxy: HOSTILE,
  status: "failed",
  wave: 1,
  attempts: 1,
  error: { httpStatus: 400, message: `locked\x1b]0;pwned\x07\nfake line` },
  reason: null,
  updatedAt: null,
  ...fields,
});

const rollout = (fields: Partial<Rollout> = {}): Rollout => ({
  id: "r0mwabcdefGHIJ-_kl",
  status: "running",
  dryRun: false,
  gateway: "default",
  policy: {},
  policyRef: null,
  warnings: [],
  readBack: false,
  targets: { projects: ["Payments"] },
  strategy: {},
  deploy: null,
  description: null,
  revertOf: null,
  phaseOf: null,
  environment: null,
  phases: [],
  phasesReason: null,
  createdBy: "olga",
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: null,
  finishedAt: null,
  counts: { total: 4, pending: 3, running: 0, succeeded: 1, failed: 0, skipped: 0, cancelled: 0, planned: 0 },
  wave: { current: 1, total: 1 },
  pausedReason: null,
  failureReason: null,
  cancelReason: null,
  ranAfterPause: 0,
  links: { self: "/v1/rollouts/r0mwabcdefGHIJ-_kl" },
  ...fields,
});

function captured(isTTY: boolean) {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe("terminal-safe CLI text", () => {
  it("escapes C0, DEL, C1 and bidi controls, and leaves other text alone", () => {
    expect(terminalText(HOSTILE)).toBe(ESCAPED);
    expect(terminalText("\x00\t\n\x1f\x7f\x85\x9b")).toBe("\\x00\\t\\n\\x1f\\x7f\\x85\\x9b");
    expect(terminalText("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c")).toBe(
      "\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c",
    );
    const plain = "Zahlungen/bestellungen-api ✓ 支付 😀 C:\\path \\x1b";
    expect(terminalText(plain)).toBe(plain);
    expect(terminalText(terminalText(HOSTILE))).toBe(ESCAPED);
    expect(terminalLines(`first ${HOSTILE}\n  second \x1b[31m`)).toBe(`first ${ESCAPED}\n  second \\x1b[31m`);
  });

  it("the formatters print a hostile target name, message and reason escaped", () => {
    expect(formatTarget(target())).toBe(
      `Payments/${ESCAPED}  HTTP 400  locked\\x1b]0;pwned\\x07\\nfake line`,
    );
    expect(targetDetail(target({ status: "skipped", error: null, reason: `type\u202eIA` }))).toBe(
      "type\\u202eIA",
    );
    expect(stopReason(rollout({ status: "paused", pausedReason: `budget\x1b[2K` }))).toBe("budget\\x1b[2K");
    expect(stopReason(rollout({ status: "succeeded" }))).toBeUndefined();
  });

  it("table escapes every cell before measuring it, so columns stay aligned", () => {
    const lines = table([
      ["TARGET", "STATUS"],
      [HOSTILE, "failed"],
      ["ok", "succeeded"],
    ]);
    expect(lines).toEqual([
      `TARGET${" ".repeat(ESCAPED.length - 6)}  STATUS`,
      `${ESCAPED}  failed`,
      `ok${" ".repeat(ESCAPED.length - 2)}  succeeded`,
    ]);
  });

  it("the service's error messages and details cannot draw on the terminal or fake a line", () => {
    const error = apiError(
      400,
      {
        error: "invalid",
        message: `bad\x1b[2J\nerror: none`,
        details: [{ path: `targets.proxies.0`, message: `unknown ${HOSTILE}` }],
      },
      "http://127.0.0.1:8080",
      true,
    );
    expect(error.message).toBe(
      `bad\\x1b[2J\\nerror: none (HTTP 400)\n  targets.proxies.0: unknown ${ESCAPED}`,
    );
    expect(apiError(403, { error: "forbidden", message: HOSTILE }, "", true).message).toContain(ESCAPED);
    expect(apiError(503, { error: "unavailable", message: HOSTILE }, "", true).message).toContain(ESCAPED);
  });

  it.each([
    ["a log", false],
    ["a terminal", true],
  ])("the progress display on %s shows a hostile status escaped", (_where, isTTY) => {
    const out = captured(isTTY);
    const display = progressDisplay(out.stream);
    // A status this CLI does not know: the types name today's, the CLI prints whatever comes.
    display.update(rollout({ status: HOSTILE as Rollout["status"] }));
    display.stop();
    expect(out.text()).toContain(ESCAPED);
    expect(out.text()).not.toContain("\x1b[2J");
    expect(out.text()).not.toContain("\u202e");
    if (!isTTY) expect(out.text()).not.toMatch(RAW);
  });
});
