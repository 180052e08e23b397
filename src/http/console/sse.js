// A `text/event-stream` reader for fetch bodies: EventSource cannot send an Authorization header.

/**
 * Returns `push(text)`: feed it decoded text in whatever pieces the network delivers; `onEvent`
 * gets `{ event, data }` for each complete event (comments, `id:` and `retry:` are ignored).
 */
export function sseParser(onEvent) {
  let pending = "";
  let type = "";
  let lines = [];

  const take = (line) => {
    if (line === "") {
      if (lines.length > 0) onEvent({ event: type || "message", data: lines.join("\n") });
      type = "";
      lines = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "data") lines.push(value);
  };

  return (text) => {
    pending += text;
    // A CR at the end may be the first half of a CRLF: keep it until the next piece comes.
    const held = pending.endsWith("\r") ? "\r" : "";
    const complete = pending.slice(0, pending.length - held.length).split(/\r\n|\r|\n/);
    pending = (complete.pop() ?? "") + held;
    for (const line of complete) take(line);
  };
}
