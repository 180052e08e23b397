// Pause/resume and retry must never stack jobs: the gateway queue holds at most the rollout's
// open targets, and nothing is left behind to slow the next rollout on the same gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetQueueName } from "../src/queue/queue-names.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const FAILING = ["proxy-00005", "proxy-00050", "proxy-00500"];

describe("no stale jobs", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "stale-jobs",
      {
        projects: 1,
        proxiesPerProject: 1500,
        latencyMs: 5,
        permanentFailures: FAILING.map((proxy) => ({ project: "project-001", proxy, message: "locked" })),
      },
      { ENFORCER_WORKER_CONCURRENCY: "8", ENFORCER_DISPATCH_WINDOW: "200" },
    );
  });
  afterAll(() => h?.stop());

  const queuedJobs = async () => {
    const { Queue } = await import("bullmq");
    const q = new Queue(targetQueueName("default"), {
      connection: { url: h.env.REDIS_URL },
      prefix: h.prefix,
    });
    try {
      const c = await q.getJobCounts("waiting", "prioritized", "delayed", "active");
      return Object.values(c).reduce((a, b) => a + b, 0);
    } finally {
      await q.close();
    }
  };
  const rollout = async (id: string) => (await h.api("GET", `/v1/rollouts/${id}`)).body;

  it("10 pause/resume pairs and 3 retries leave no more queued jobs than open targets, and none after", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"] },
      strategy: { maxErrors: 10 },
    });
    const id = created.body.id;
    let peak = 0;
    for (let pair = 0; pair < 10; pair++) {
      await waitFor("some progress", async () => {
        const r = await rollout(id);
        return r.status === "running" && r.counts.succeeded > pair * 100 ? r : undefined;
      });
      expect((await h.api("POST", `/v1/rollouts/${id}/pause`)).status).toBe(200);
      const paused = await rollout(id);
      const jobs = await queuedJobs();
      peak = Math.max(peak, jobs);
      // Queued jobs were taken off the queue: at most the in-flight ones remain.
      expect(jobs).toBeLessThanOrEqual(paused.counts.running + 8);
      expect((await h.api("POST", `/v1/rollouts/${id}/resume`)).status).toBe(200);
      const resumed = await rollout(id);
      const after = await queuedJobs();
      peak = Math.max(peak, after);
      expect(after).toBeLessThanOrEqual(resumed.counts.pending + resumed.counts.running);
    }
    for (let retry = 0; retry < 3; retry++) {
      const done = await h.waitForStatus(id, ["failed"], 60_000);
      expect(done.counts.failed).toBe(FAILING.length);
      expect((await h.api("POST", `/v1/rollouts/${id}/retry`)).status).toBe(200);
      const retried = await rollout(id);
      expect(await queuedJobs()).toBeLessThanOrEqual(retried.counts.pending + retried.counts.running);
    }
    const final = await h.waitForStatus(id, ["failed"], 60_000);
    expect(final.counts).toMatchObject({ total: 1500, succeeded: 1497, failed: 3, pending: 0, running: 0 });
    await waitFor("the queue to drain", async () => ((await queuedJobs()) === 0 ? true : undefined));
    // Every proxy was patched once, the failing ones once per run (1 + 3 retries).
    const counts = h.sim.state.proxies().map((p) => [p.name, p.patchRequests ?? p.patchCount] as const);
    for (const [name, n] of counts) expect(n, name).toBe(FAILING.includes(name) ? 4 : 1);
    console.info(`stale-jobs: peak queued jobs ${peak} (window 200, 1,500 targets)`);

    // The next rollout on the same gateway finds nothing ahead of it in the queue.
    const next = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-001"], proxies: ["proxy-00001", "proxy-00002"] },
    });
    const nextDone = await h.waitForStatus(next.body.id, ["succeeded"], 10_000);
    expect(nextDone.counts.succeeded).toBe(2);
  }, 120_000);
});
