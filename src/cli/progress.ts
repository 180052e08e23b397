import cliProgress from "cli-progress";
import type { Rollout } from "../contracts/index.js";
import { doneCount, formatDuration, formatRate } from "./format.js";
import { RateMeter } from "./rate-meter.js";
import { terminalText } from "./terminal-text.js";

export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface ProgressDisplay {
  update(rollout: Rollout): void;
  stop(): void;
}

/** A terminal redraws the bar this often, so rate and ETA move even while no event arrives. */
const TTY_REFRESH_MS = 1000;
/** Logs (CI, a file) get a line this often while something moves... */
const PLAIN_EVERY_MS = 5000;
/** ...and at least this often as a sign of life. */
const PLAIN_HEARTBEAT_MS = 60_000;

function snapshot(rollout: Rollout, meter: RateMeter, now: number) {
  const done = doneCount(rollout.counts);
  const total = rollout.counts.total;
  // While planning the total is not known yet: no time left to promise.
  const planning = rollout.status === "planning";
  return {
    done,
    total,
    // The service's word, on a bar that writes its own control sequences: escaped here, not at a sink.
    status: terminalText(rollout.status).padEnd(9),
    // Not `rate`/`eta`: cli-progress fills those placeholders itself and would win.
    perSecond: formatRate(meter.rate(now)),
    timeLeft: planning ? "?" : formatDuration(meter.etaSeconds(total - done, now)),
    failed: rollout.counts.failed,
    wave: `${rollout.wave.current}/${rollout.wave.total}`,
  };
}

/**
 * Progress on `stream` (stderr, so stdout stays clean for results and --json): a live bar on a
 * terminal, plain timestamped lines elsewhere (a terminal's redraws would be garbage in a log).
 */
export function progressDisplay(stream: ProgressStream): ProgressDisplay {
  const meter = new RateMeter();
  let latest: Rollout | undefined;

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        // Most important first: a narrow terminal trims from the right.
        format:
          "{status} [{bar}] {value}/{total} | failed {failed} | wave {wave} | {perSecond}/s | ETA {timeLeft}",
        barsize: 20,
        // No terminal modes (hidden cursor, no-wrap) that a Ctrl-C would leave behind; trim instead.
        hideCursor: false,
        linewrap: true,
        emptyOnZero: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const render = () => {
      if (latest === undefined) return;
      const s = snapshot(latest, meter, Date.now());
      if (!started) bar.start(s.total, s.done, s);
      started = true;
      bar.setTotal(s.total);
      bar.update(s.done, s);
    };
    const timer = setInterval(render, TTY_REFRESH_MS).unref();
    return {
      update(rollout) {
        latest = rollout;
        meter.sample(doneCount(rollout.counts));
        render();
      },
      stop() {
        clearInterval(timer);
        render();
        if (started) bar.stop();
      },
    };
  }

  let printed: { at: number; key: string } | undefined;
  const print = (force: boolean) => {
    if (latest === undefined) return;
    const now = Date.now();
    const s = snapshot(latest, meter, now);
    // What counts as news: status, wave, done or failed moved.
    const key = `${s.status}|${s.wave}|${s.done}|${s.failed}`;
    const news = key !== printed?.key;
    const due = printed === undefined || now - printed.at >= (news ? PLAIN_EVERY_MS : PLAIN_HEARTBEAT_MS);
    if (!(force ? news : due)) return;
    const time = new Date(now).toISOString().slice(11, 19);
    if (latest.status === "planning") stream.write(`${time} planning  listing the gateway's proxies\n`);
    else {
      const percent = s.total === 0 ? 100 : Math.floor((100 * s.done) / s.total);
      stream.write(
        `${time} ${s.status.trimEnd()}  wave ${s.wave}  ${s.done}/${s.total} (${percent}%)  ` +
          `${s.perSecond}/s  ETA ${s.timeLeft}  failed ${s.failed}\n`,
      );
    }
    printed = { at: now, key };
  };
  const timer = setInterval(() => print(false), PLAIN_EVERY_MS).unref();
  return {
    update(rollout) {
      const statusChanged =
        latest?.status !== rollout.status || latest?.wave.current !== rollout.wave.current;
      latest = rollout;
      meter.sample(doneCount(rollout.counts));
      print(statusChanged);
    },
    stop() {
      clearInterval(timer);
      print(true);
    },
  };
}
