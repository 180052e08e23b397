import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import type { TargetRecord } from "../src/engine/target-record.js";
import { createApp } from "../src/http/app.js";
import { createMetrics } from "../src/metrics/registry.js";
import { writeReport } from "../src/reports/rollout-report.js";
import type { RolloutView } from "../src/service/rollout-view.js";

const rollout = { id: "r1", counts: { total: 2500 } } as unknown as RolloutView;
const target = (i: number): TargetRecord => ({ p: "P", n: `proxy-${i}`, s: "succeeded", w: 1, a: 1, h: 200 });

/** Serves targets until `failAt`, then the store "goes away". */
const source = (failAt = Number.POSITIVE_INFINITY) => ({
  rollout,
  targetsAt: async (indexes: readonly number[]) => {
    if ((indexes[0] ?? 0) >= failAt) throw new Error("Connection is closed.");
    return indexes.map((i): [number, TargetRecord] => [i, target(i)]);
  },
});

describe("report streaming", () => {
  it("writes one chunk per 1,000 targets, and stops when the client goes away", async () => {
    const chunks: string[] = [];
    await writeReport("csv", source(), async (c) => void chunks.push(c), new AbortController().signal);
    expect(chunks.map((c) => c.split("\r\n").length - 1)).toEqual([1, 1000, 1000, 500]);

    const gone = new AbortController();
    const written: string[] = [];
    await writeReport(
      "json",
      source(),
      async (c) => {
        written.push(c);
        if (written.length === 2) gone.abort();
      },
      gone.signal,
    );
    expect(written).toHaveLength(3);
    expect(written.at(-1)).toBe("]}");
  });

  describe("over HTTP", () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      const app = createApp({
        config: loadConfig({ ENFORCER_AUTH: "disabled" }),
        log: pino({ level: "silent" }),
        metrics: createMetrics(),
        routes: [
          {
            method: "get",
            path: "/report",
            role: "viewer",
            summary: "a report whose store fails after 1,000 targets",
            handle: async () => ({
              status: 200,
              headers: { "Content-Type": "text/csv; charset=utf-8" },
              stream: (write, signal) => writeReport("csv", source(1000), write, signal),
            }),
          },
        ],
      });
      server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it("cuts the connection when the report fails half-way, so it never looks complete", async () => {
      const res = await fetch(`${url}/report`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    });
  });
});
