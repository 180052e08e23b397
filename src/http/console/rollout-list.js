// The rollouts, newest first, a page at a time (the API's nextCursor), optionally of one status.
import { api, withQuery } from "./api.js";
import { badge, el, link, time } from "./dom.js";
import { pagedTable } from "./paged-table.js";
import { doneOf } from "./progress.js";

const ROLLOUT_STATUSES = ["planning", "running", "paused", "succeeded", "failed", "cancelled"];

export function rolloutList(context) {
  const filter = el(
    "select",
    { id: "status-filter", name: "status" },
    el("option", { value: "" }, "any status"),
    ROLLOUT_STATUSES.map((status) => el("option", { value: status }, status)),
  );
  const list = pagedTable(context, {
    title: "Rollouts",
    caption: "Rollouts, newest first",
    headers: ["Rollout", "Status", "Done/total", "Gateway", "Description", "Created by", "Created at"],
    empty: "No rollouts.",
    fetchPage: (cursor) =>
      api("GET", withQuery("/v1/rollouts", { limit: 50, status: filter.value, cursor }), {
        signal: context.signal,
      }),
    cells: (rollout) => [
      link(["rollouts", rollout.id], rollout.id),
      [badge(rollout.status), rollout.dryRun ? " (dry run)" : ""],
      `${doneOf(rollout.counts)}/${rollout.counts.total}`,
      rollout.gateway,
      rollout.description ?? "",
      rollout.createdBy,
      time(rollout.createdAt),
    ],
    controls: [el("label", { for: "status-filter" }, "Status "), filter],
  });
  filter.addEventListener("change", () => list.reload());
}
