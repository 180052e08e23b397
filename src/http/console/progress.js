// What the rollout page computes from the snapshots it is sent: progress, rate, ETA, allowed actions.

/** Targets in a terminal status: everything neither waiting (pending) nor handed to workers (running). */
export const doneOf = (counts) => counts.total - counts.pending - counts.running;

export const isFinished = (status) => status === "succeeded" || status === "failed" || status === "cancelled";

/**
 * The control buttons and the statuses each is allowed in (the engine's table; the API still has the
 * last word and answers 409 with its reason when the state moved on meanwhile).
 */
export const CONTROLS = [
  { action: "pause", label: "Pause", from: ["running"] },
  { action: "resume", label: "Resume", from: ["paused"] },
  { action: "cancel", label: "Cancel", from: ["planning", "running", "paused"] },
  { action: "retry", label: "Retry failed", from: ["running", "paused", "failed"], needsFailed: true },
];

export const allowed = (control, rollout) =>
  control.from.includes(rollout.status) && (!control.needsFailed || rollout.counts.failed > 0);

/** Smooths wave boundaries, yet follows a rate-limited gateway. */
const WINDOW_MS = 30_000;
/** Less history than this gives no rate worth showing. */
const MIN_HISTORY_MS = 1_000;
/** Snapshots come at least every few seconds while targets finish: a longer silence lowers the rate. */
const SILENCE_MS = 3_000;

/** Finished targets per second over a sliding window of snapshots, measured only while running. */
export function rateMeter(now = () => Date.now()) {
  let history = [];
  return {
    /** Forget the history: after a pause, the time spent paused is no rate. */
    reset() {
      history = [];
    },
    note(done) {
      const at = now();
      // Fewer done than before (a retry re-queued failed targets): start over.
      if (history.length > 0 && done < history[history.length - 1].done) history = [];
      history.push({ at, done });
      // The oldest kept snapshot anchors the window even when snapshots are sparse.
      while (history.length > 1 && history[1].at <= at - WINDOW_MS) history.shift();
    },
    perSecond() {
      if (history.length < 2) return undefined;
      const first = history[0];
      const last = history[history.length - 1];
      const until = now() - last.at > SILENCE_MS ? now() : last.at;
      const span = until - first.at;
      return span < MIN_HISTORY_MS ? undefined : ((last.done - first.done) * 1000) / span;
    },
  };
}

/** "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The ETA line of a rollout snapshot, given the measured rate. */
export function etaText(rollout, perSecond) {
  const remaining = rollout.counts.pending + rollout.counts.running;
  if (rollout.status === "planning") return "planning the targets";
  if (isFinished(rollout.status)) {
    const took = (Date.parse(rollout.finishedAt) - Date.parse(rollout.startedAt)) / 1000;
    return Number.isFinite(took) ? `finished in ${formatDuration(took)}` : "finished";
  }
  if (rollout.status === "paused") return "paused: no estimate until it is resumed";
  if (remaining === 0) return "finishing";
  if (perSecond === undefined) return "estimating…";
  if (perSecond <= 0) return "no target finished lately";
  return `about ${formatDuration(remaining / perSecond)} left at ${perSecond.toFixed(1)} targets/s`;
}
