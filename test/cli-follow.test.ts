// How the CLI follows a rollout: the event stream, and polling when the stream is missing or drops.
// The service's stream may not be deployed everywhere yet, so a small server speaking the documented
// format (contract §3.5: `event: rollout|end`, `data: <rollout JSON>`) drives the stream paths.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { apiClient } from "../src/cli/api-client.js";
import { followRollout } from "../src/cli/follow.js";
import { run } from "../src/cli/main.js";

const ID = "r0mwabcdefGHIJ-_kl";

function rollout(status: string, done: number, extra: Record<string, unknown> = {}) {
  return {
    id: ID,
    status,
    dryRun: false,
    gateway: "default",
    policy: { mtls: { enabled: true } },
    deploy: null,
    description: null,
    createdBy: "olga",
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: null,
    counts: {
      total: 4,
      pending: 4 - done,
      running: 0,
      succeeded: done,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      planned: 0,
    },
    wave: { current: 1, total: 1 },
    pausedReason: null,
    phaseOf: null,
    environment: null,
    phases: [],
    phasesReason: null,
    ...extra,
  };
}

const event = (name: string, body: unknown) => `event: ${name}\ndata: ${JSON.stringify(body)}\n\n`;

interface Stub {
  url: string;
  gets: number;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Answers GET /v1/rollouts/ID with `gets` in turn (the last one repeats) and /events with `events`. */
async function stub(
  gets: unknown[],
  events: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
): Promise<Stub> {
  const state = { url: "", gets: 0 };
  const server = createServer(async (req, res) => {
    if (req.url === `/v1/rollouts/${ID}/events`) return events(req, res);
    if (req.url === `/v1/rollouts/${ID}`) {
      const body = gets[Math.min(state.gets++, gets.length - 1)];
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      return;
    }
    res
      .writeHead(404, { "content-type": "application/json" })
      .end('{"error":"not_found","message":"no route"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return state;
}

const sse = (res: ServerResponse) =>
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });

describe("following a rollout", () => {
  it("takes every update from the stream, however it is chunked, until the end event", async () => {
    const s = await stub([rollout("running", 0)], async (_req, res) => {
      sse(res);
      const text = `: hello\n\n${event("rollout", rollout("running", 1))}${event("rollout", rollout("running", 3))}${event("end", rollout("succeeded", 4))}`;
      for (let i = 0; i < text.length; i += 17) {
        res.write(text.slice(i, i + 17));
        await sleep(1);
      }
      res.end();
    });
    const seen: number[] = [];
    const final = await followRollout(apiClient({ url: s.url }), ID, (r) => seen.push(r.counts.succeeded));
    expect(final.status).toBe("succeeded");
    expect(seen).toEqual([0, 1, 3, 4]);
    expect(s.gets).toBe(1);
  });

  it("falls back to polling when the stream drops mid-way", async () => {
    const s = await stub([rollout("running", 0), rollout("succeeded", 4)], (_req, res) => {
      sse(res);
      res.write(event("rollout", rollout("running", 2)));
      setTimeout(() => res.destroy(), 20);
    });
    const final = await followRollout(apiClient({ url: s.url }), ID, () => {});
    expect(final.status).toBe("succeeded");
    expect(s.gets).toBe(2);
  });

  it("polls when the service has no event stream (404)", async () => {
    const s = await stub(
      [rollout("running", 0), rollout("running", 2), rollout("failed", 4)],
      (_req, res) => {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end('{"error":"not_found","message":"no route"}');
      },
    );
    const seen: string[] = [];
    const final = await followRollout(apiClient({ url: s.url }), ID, (r) => seen.push(r.status));
    expect(final.status).toBe("failed");
    expect(seen).toEqual(["running", "running", "failed"]);
  });

  it("a pause on an open stream ends the watch with exit 2 and the reason, without waiting for the server", async () => {
    const paused = rollout("paused", 1, { pausedReason: "failed targets exceed maxErrors 0" });
    const s = await stub([rollout("running", 0)], (_req, res) => {
      sse(res);
      res.write(event("rollout", paused));
      // The stream stays open: a paused rollout is not terminal for the service.
    });
    let stdout = "";
    const sink = (append: (text: string) => void) =>
      new Writable({
        write(chunk, _encoding, done) {
          append(String(chunk));
          done();
        },
      });
    const code = await run(["status", ID, "--watch", "--url", s.url], {
      stdout: sink((text) => (stdout += text)),
      stderr: sink(() => {}),
      env: {},
    });
    expect(code).toBe(2);
    expect(stdout).toContain("reason: failed targets exceed maxErrors 0");
  });
});
