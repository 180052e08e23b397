// A view that lists what the API answers a page at a time (`{items, nextCursor}`), with "Load more".
import { append, el, fill, row, table } from "./dom.js";

/**
 * A titled table filled a page at a time: `fetchPage(cursor)` answers `{items, nextCursor}`,
 * `cells(item)` one row's cells.
 */
export function pagedTable(
  { view, signal },
  { title, caption, headers, fetchPage, cells, controls = [], empty = "Nothing to show." },
) {
  const list = table(caption, headers, []);
  const rows = list.tBodies[0];
  const message = el("p", { role: "alert", class: "message" });
  const more = el("button", { type: "button", hidden: true }, "Load more");
  let cursor = null;

  async function load(reset) {
    if (reset) {
      cursor = null;
      rows.replaceChildren();
    }
    fill(message);
    more.disabled = true;
    try {
      const page = await fetchPage(cursor);
      append(
        rows,
        page.items.map((item) => row(cells(item))),
      );
      if (reset && page.items.length === 0) fill(message, empty);
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    } catch (error) {
      if (!signal.aborted) fill(message, error.message);
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", () => load(false));
  const refresh = el("button", { type: "button", onclick: () => load(true) }, "Refresh");
  fill(
    view,
    el("h2", { tabindex: "-1" }, title),
    el("div", { class: "toolbar" }, controls, refresh),
    message,
    list,
    more,
  );
  load(true);
  return { reload: () => load(true) };
}
