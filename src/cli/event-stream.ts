// A small `text/event-stream` parser (WHATWG server-sent events): enough for the rollout stream,
// strict about the framing so chunk boundaries never change what is parsed.

export interface ServerSentEvent {
  /** The `event:` field; "message" when the server sent none. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
}

/** Feed it text in whatever chunks the network delivers; it returns the events each chunk completed. */
export class EventStreamParser {
  #buffer = "";
  #event = "";
  #data: string[] = [];

  push(text: string): ServerSentEvent[] {
    this.#buffer += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = this.#buffer.search(/[\r\n]/);
      if (end === -1) break;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
      if (this.#buffer[end] === "\r" && end === this.#buffer.length - 1) break;
      const terminator = this.#buffer.startsWith("\r\n", end) ? 2 : 1;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + terminator);
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** The stream ended: a CR held back as a possible CRLF half was a line end after all. */
  end(): ServerSentEvent[] {
    const events = this.#buffer.endsWith("\r") ? this.push("\n") : [];
    this.#buffer = "";
    this.#event = "";
    this.#data = [];
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.#dispatch();
    // Lines starting with ":" are comments; servers send them as heartbeats.
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    // id and retry are not used: a dropped stream falls back to polling, not to a reconnect.
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event =
      this.#data.length === 0 ? undefined : { event: this.#event || "message", data: this.#data.join("\n") };
    this.#event = "";
    this.#data = [];
    return event;
  }
}

/** The events of a byte stream, decoding UTF-8 across chunk boundaries. An unfinished last event is dropped. */
export async function* readEventStream(
  body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ServerSentEvent> {
  const parser = new EventStreamParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    yield* parser.push(text);
  }
  yield* parser.push(decoder.decode());
  yield* parser.end();
}
