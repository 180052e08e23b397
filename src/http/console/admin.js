// Admin views: the compliance sweeps (schedules) and the audit trail, each paged by nextCursor.
import { api, withQuery } from "./api.js";
import { el, link, time } from "./dom.js";
import { pagedTable } from "./paged-table.js";

export function schedulesPage(context) {
  pagedTable(context, {
    title: "Schedules",
    caption: "Compliance sweeps, in name order",
    headers: ["Name", "When", "Time zone", "Next run", "Last rollout", "Updated by", "Updated at"],
    fetchPage: (cursor) =>
      api("GET", withQuery("/v1/schedules", { limit: 100, cursor }), { signal: context.signal }),
    cells: (s) => [
      s.name,
      s.cron ? `cron ${s.cron}` : `every ${s.every}`,
      s.timezone,
      time(s.nextRunAt),
      s.lastRolloutId ? link(["rollouts", s.lastRolloutId], s.lastRolloutId) : "—",
      s.updatedBy ?? s.createdBy,
      time(s.updatedAt ?? s.createdAt),
    ],
  });
}

export function auditPage(context) {
  const since = el("input", { id: "audit-since", type: "datetime-local", name: "since" });
  const sinceIso = () => (since.value ? new Date(since.value).toISOString() : undefined);
  const page = pagedTable(context, {
    title: "Audit trail",
    caption: "Who changed what, oldest first",
    headers: ["At", "Actor", "Action", "Rollout", "Schedule", "Status", "Detail"],
    // The first page starts at the chosen time; the next ones continue from the cursor.
    fetchPage: (cursor) =>
      api("GET", withQuery("/v1/audit", { limit: 100, since: cursor ?? sinceIso() }), {
        signal: context.signal,
      }),
    cells: (entry) => [
      time(entry.at),
      entry.actor,
      entry.action,
      entry.rolloutId ? link(["rollouts", entry.rolloutId], entry.rolloutId) : "—",
      entry.schedule ?? "—",
      entry.status ?? "—",
      entry.detail ?? "",
    ],
    controls: [el("label", { for: "audit-since" }, "Since "), since],
  });
  since.addEventListener("change", () => page.reload());
}
