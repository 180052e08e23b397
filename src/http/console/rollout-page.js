// One rollout, live: progress from its event stream, the failed targets, and the control buttons.
import { ApiError, api, follow, withQuery } from "./api.js";
import { append, badge, el, fill, link, row, table, time } from "./dom.js";
import { allowed, CONTROLS, doneOf, etaText, isFinished, rateMeter } from "./progress.js";

const RECONNECT_MS = 2_000;

const pause = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  });

/** A `<dd>` whose text is replaced on every snapshot. */
const field = (name) => el("dd", { "data-field": name }, "…");

function failedTargets(id, signal) {
  const list = table(
    "Failed targets, with the manager's message",
    ["Project", "Proxy", "HTTP status", "Message", "Attempts", "Updated"],
    [],
  );
  const rows = list.tBodies[0];
  const more = el("button", { type: "button", hidden: true }, "Load more failed targets");
  const note = el("p", { class: "message" });
  const section = el("section", { "aria-labelledby": "failed-title", hidden: true }, [
    el("h3", { id: "failed-title" }, "Failed targets"),
    note,
    list,
    more,
  ]);
  let cursor = null;
  let shownFor = -1;

  async function load(reset) {
    if (reset) cursor = null;
    const path = withQuery(`/v1/rollouts/${encodeURIComponent(id)}/targets`, { status: "failed", cursor });
    try {
      const page = await api("GET", path, { signal });
      if (reset) rows.replaceChildren();
      for (const t of page.items) {
        const message = t.error?.message ?? t.reason ?? "—";
        const cells = [
          t.project,
          t.proxy,
          t.error?.httpStatus ?? "—",
          message,
          t.attempts,
          time(t.updatedAt),
        ];
        append(rows, [row(cells, { "data-target": t.index })]);
      }
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      fill(note);
    } catch (error) {
      if (!signal.aborted) fill(note, error.message);
    }
  }
  more.addEventListener("click", () => load(false));

  return {
    section,
    /** Reloads the list when the number of failed targets changed. */
    update(failed) {
      section.hidden = failed === 0;
      if (failed !== shownFor) {
        shownFor = failed;
        if (failed > 0) load(true);
        else rows.replaceChildren();
      }
    },
  };
}

export function rolloutPage({ view, signal, can }, id) {
  const path = `/v1/rollouts/${encodeURIComponent(id)}`;
  const meter = rateMeter();
  const message = el("p", { role: "alert", class: "message" });
  const outcome = el("p", { role: "status", class: "message" });
  const bar = el("progress", { id: "progress-bar", max: 1, value: 0 });
  const fields = Object.fromEntries(
    ["status", "progress", "wave", "eta", "reason"].map((name) => [name, field(name)]),
  );
  // One column per target status the API counts (its own list, so a new status shows up by itself).
  const counts = el("div");
  let countCells = {};
  const facts = el("dl", { class: "facts" });
  const failed = failedTargets(id, signal);
  const buttons = can("operator")
    ? CONTROLS.map((control) =>
        el("button", { type: "button", hidden: true, onclick: () => act(control) }, control.label),
      )
    : [];
  const idle = el("p", { class: "hint", hidden: true });
  let rollout = null;
  let following = false;

  function show(next) {
    rollout = next;
    const { counts } = next;
    const done = doneOf(counts);
    if (next.status === "running") meter.note(done);
    else meter.reset();
    fill(fields.status, badge(next.status));
    fields.progress.textContent = `${done}/${counts.total} targets done`;
    fields.wave.textContent = `${next.wave.current}/${next.wave.total}`;
    fields.eta.textContent = etaText(next, meter.perSecond());
    fields.reason.textContent = next.pausedReason ?? next.failureReason ?? next.cancelReason ?? "—";
    bar.max = Math.max(1, counts.total);
    bar.value = done;
    showCounts(counts);
    buttons.forEach((button, i) => {
      button.hidden = !allowed(CONTROLS[i], next);
    });
    idle.hidden = buttons.some((button) => !button.hidden);
    idle.textContent = `No action applies to a rollout that is ${next.status}.`;
    failed.update(counts.failed);
  }

  function showCounts(next) {
    const statuses = Object.keys(next).filter((key) => key !== "total");
    if (statuses.join() !== Object.keys(countCells).join()) {
      countCells = Object.fromEntries(statuses.map((s) => [s, el("td", { "data-count": s })]));
      fill(counts, table("Targets per status", statuses, [Object.values(countCells)]));
    }
    for (const status of statuses) countCells[status].textContent = String(next[status]);
  }

  function describe(r) {
    const items = [
      ["Description", r.description ?? "—"],
      ["Gateway", r.gateway],
      ["Created by", r.createdBy],
      ["Created at", time(r.createdAt)],
      ["Started at", time(r.startedAt)],
      ["Dry run", r.dryRun ? "yes" : "no"],
      ["Reverts", r.revertOf ? link(["rollouts", r.revertOf], r.revertOf) : "—"],
    ];
    fill(
      facts,
      items.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
    );
  }

  async function act(control) {
    if (
      control.action === "cancel" &&
      !window.confirm(`Cancel rollout ${id}? Every pending target ends cancelled.`)
    )
      return;
    for (const button of buttons) button.disabled = true;
    fill(message);
    fill(outcome);
    try {
      show(await api("POST", `${path}/${control.action}`, { signal }));
      fill(outcome, `${control.label}: done, the rollout is ${rollout.status}.`);
      live();
    } catch (error) {
      // A 409 says why the state does not allow it (it moved on since the page was drawn).
      if (!signal.aborted) fill(message, `${control.label} refused: ${error.message}`);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }

  /** Follows the event stream until the rollout ends; reconnects after a dropped connection. */
  async function live() {
    if (following) return;
    following = true;
    try {
      while (!signal.aborted) {
        let ended = false;
        try {
          await follow(
            `${path}/events`,
            (event) => {
              if (event.event !== "rollout" && event.event !== "end") return;
              show(JSON.parse(event.data));
              ended = event.event === "end";
            },
            signal,
          );
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof ApiError && error.status !== 429 && error.status < 500) {
            fill(message, error.message);
            return;
          }
        }
        if (ended || signal.aborted) return;
        await pause(RECONNECT_MS, signal);
        const latest = await api("GET", path, { signal }).catch(() => null);
        if (latest) show(latest);
        if (latest && isFinished(latest.status) && latest.counts.running === 0) return;
      }
    } finally {
      following = false;
    }
  }

  // Between snapshots the ETA still moves (a stalled wave lowers the rate).
  const ticker = setInterval(() => {
    if (rollout) fields.eta.textContent = etaText(rollout, meter.perSecond());
  }, 1000);
  signal.addEventListener("abort", () => clearInterval(ticker), { once: true });

  fill(
    view,
    el("p", {}, link(["rollouts"], "← All rollouts")),
    el("h2", { tabindex: "-1" }, "Rollout ", el("code", {}, id)),
    message,
    el(
      "section",
      { id: "progress", "aria-labelledby": "progress-title", "aria-live": "polite" },
      el("h3", { id: "progress-title" }, "Progress"),
      el("label", { for: "progress-bar", class: "visually-hidden" }, "Targets done"),
      bar,
      el(
        "dl",
        { class: "facts" },
        [
          ["Status", fields.status],
          ["Done", fields.progress],
          ["Wave", fields.wave],
          ["Estimated time left (pauses excluded)", fields.eta],
          ["Reason", fields.reason],
        ].map(([term, value]) => [el("dt", {}, term), value]),
      ),
      counts,
    ),
    buttons.length > 0
      ? el(
          "section",
          { "aria-labelledby": "actions-title" },
          el("h3", { id: "actions-title" }, "Actions"),
          el("div", { class: "toolbar", id: "controls" }, buttons),
          idle,
          outcome,
        )
      : null,
    failed.section,
    el("section", { "aria-labelledby": "about-title" }, el("h3", { id: "about-title" }, "About"), facts),
  );
  api("GET", path, { signal }).then(
    (first) => {
      describe(first);
      show(first);
      live();
    },
    (error) => {
      if (!signal.aborted) fill(message, error.message);
    },
  );
}
