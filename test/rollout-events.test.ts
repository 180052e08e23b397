import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

interface Event {
  event: string;
  data: { status: string; counts: { succeeded: number; total: number } };
}

/** Reads a whole server-sent-event stream (it ends when the rollout does). */
async function readEvents(url: string): Promise<{ events: Event[]; contentType: string | null }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
  const text = await res.text();
  const events = text
    .split("\n\n")
    .filter((block) => block.includes("data: "))
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = JSON.parse(lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "{}");
      return { event, data };
    });
  return { events, contentType: res.headers.get("content-type") };
}

describe("live progress over server-sent events", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "events",
      { projects: 1, proxiesPerProject: 200, latencyMs: 5 },
      { ENFORCER_WORKER_CONCURRENCY: "4" },
    );
  });
  afterAll(() => h?.stop());

  it("sends the rollout on every change and ends with its terminal status", async () => {
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    const { events, contentType } = await readEvents(`${h.url}/v1/rollouts/${created.body.id}/events`);
    expect(contentType).toMatch(/text\/event-stream/);
    expect(events.length).toBeGreaterThan(2);
    const last = events.at(-1);
    expect(last?.event).toBe("end");
    expect(last?.data.status).toBe("succeeded");
    expect(last?.data.counts.succeeded).toBe(200);
    expect(events.slice(0, -1).every((e) => e.event === "rollout")).toBe(true);
    // Progress only moves forward.
    const done = events.map((e) => e.data.counts.succeeded);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
  });

  it("a finished rollout's stream is its final state at once; an unknown one is a 404", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      dryRun: true,
    });
    await h.waitForStatus(created.body.id, ["succeeded"]);
    const { events } = await readEvents(`${h.url}/v1/rollouts/${created.body.id}/events`);
    expect(events.map((e) => e.event)).toEqual(["end"]);
    const missing = await h.api("GET", "/v1/rollouts/r000000000abcdefgh/events");
    expect(missing.status).toBe(404);
  });
});
