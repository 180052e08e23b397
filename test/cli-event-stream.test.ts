// The CLI's text/event-stream parser on its own: framing must not depend on how the network chunks it.
import { describe, expect, it } from "vitest";
import { EventStreamParser, readEventStream, type ServerSentEvent } from "../src/cli/event-stream.js";

const STREAM =
  ": connected\r\n\r\n" +
  'event: rollout\r\ndata: {"status":"running"}\r\n\r\n' +
  ": heartbeat\n\n" +
  "event: rollout\ndata: line one\ndata:line two\ndata\n\n" +
  "id: 7\nretry: 1000\n\n" +
  'event: end\rdata: {"status":"succeeded"}\r\r';

const EXPECTED: ServerSentEvent[] = [
  { event: "rollout", data: '{"status":"running"}' },
  { event: "rollout", data: "line one\nline two\n" },
  { event: "end", data: '{"status":"succeeded"}' },
];

function parseInChunks(text: string, size: number): ServerSentEvent[] {
  const parser = new EventStreamParser();
  const events: ServerSentEvent[] = [];
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
  return [...events, ...parser.end()];
}

describe("event-stream parser", () => {
  it("parses events, multi-line data and every line ending, ignoring comments and unused fields", () => {
    expect(parseInChunks(STREAM, STREAM.length)).toEqual(EXPECTED);
  });

  it("gives the same events whatever the chunking, CRLF split included", () => {
    for (const size of [1, 2, 3, 5, 7, 13])
      expect(parseInChunks(STREAM, size), `chunks of ${size}`).toEqual(EXPECTED);
  });

  it("defaults the event name to message, keeps a colon-less value and strips only one space", () => {
    const parser = new EventStreamParser();
    expect(parser.push("data:  two spaces\n\ndata: a: b\n\n")).toEqual([
      { event: "message", data: " two spaces" },
      { event: "message", data: "a: b" },
    ]);
  });

  it("dispatches nothing for an event without data and resets the name after each event", () => {
    const parser = new EventStreamParser();
    expect(parser.push("event: rollout\n\ndata: x\n\n")).toEqual([{ event: "message", data: "x" }]);
  });

  it("decodes UTF-8 split across chunks and drops an unfinished last event", async () => {
    const bytes = Buffer.from('event: rollout\ndata: {"proxy":"café-ü"}\n\ndata: cut off');
    const split = bytes.indexOf(Buffer.from("é")) + 1;
    async function* body() {
      yield bytes.subarray(0, split);
      yield bytes.subarray(split);
    }
    const events: ServerSentEvent[] = [];
    for await (const event of readEventStream(body())) events.push(event);
    expect(events).toEqual([{ event: "rollout", data: '{"proxy":"café-ü"}' }]);
  });
});
