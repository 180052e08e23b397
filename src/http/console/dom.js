// Building the page from API data: strings only ever become text nodes, never markup (the page's
// Content-Security-Policy requires Trusted Types, so an innerHTML assignment would throw anyway).

/** Control characters, bidirectional overrides and isolates: shown as \uXXXX instead of acting. */
function isHidden(code) {
  if (code === 0x09 || code === 0x0a) return false;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Text as it may be shown: names and messages from a gateway can hold escape sequences and bidi tricks. */
export function visible(value) {
  const text = String(value);
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += isHidden(code) ? `\\u${code.toString(16).padStart(4, "0")}` : char;
  }
  return out;
}

/**
 * `el("a", { href, class: "x", onclick }, "text", child)`: attributes are set as attributes, `on…`
 * as listeners, and every string child becomes a text node.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings, numbers, arrays of them); null, undefined and false are left out. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(visible(child)));
  }
  return node;
}

/** Replaces a node's content. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A time as the reader's locale shows it, machine-readable in `datetime`. */
export function time(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return visible(iso);
  return el("time", { datetime: date.toISOString() }, date.toLocaleString());
}

/** A status as a badge: the word itself is shown, colour only repeats it. */
export function badge(status) {
  return el("span", { class: `badge status-${String(status).replace(/[^a-z]/g, "")}` }, status);
}

/** A table row; cells that are not `<td>` elements yet are wrapped in one. */
export function row(cells, attributes = {}) {
  return el(
    "tr",
    attributes,
    cells.map((cell) => (cell instanceof HTMLTableCellElement ? cell : el("td", {}, cell))),
  );
}

/** A table with a caption, column headers and one row per array of cells. */
export function table(caption, headers, rows) {
  const head = el(
    "tr",
    {},
    headers.map((header) => el("th", { scope: "col" }, header)),
  );
  return el(
    "table",
    {},
    el("caption", {}, caption),
    el("thead", {}, head),
    el(
      "tbody",
      {},
      rows.map((cells) => row(cells)),
    ),
  );
}

/** A link inside the console (hash routes keep ids, never tokens, in the address). */
export function link(route, text) {
  return el("a", { href: `#/${route.map(encodeURIComponent).join("/")}` }, text);
}
