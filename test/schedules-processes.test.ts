import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROL_QUEUE, jobIds } from "../src/queue/queue-names.js";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { everySecond, rolloutsOf, runsOf } from "./helpers/schedules.js";
import { type Harness, harnessEnv, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const WORKER_READY = /workers started/;
const EVERY_SECOND = everySecond();

describe("compliance sweeps across processes", () => {
  let h: Harness;
  let env: Record<string, string>;
  let workers: ServiceProcess[] = [];
  const startWorkers = async () => {
    workers = await Promise.all([1, 2].map(() => spawnService("worker", env, WORKER_READY)));
  };
  const stopWorkers = async () => {
    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  };

  beforeAll(async () => {
    // This process serves the API only: every firing happens in one of two worker processes.
    h = await startHarness("schedules-procs", { projects: 1, proxiesPerProject: 2 }, {}, { mode: "api" });
    env = { ...harnessEnv(h.sim.url, h.prefix), LOG_LEVEL: "info" };
    await startWorkers();
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill("SIGKILL");
    await h?.stop();
  });

  it("fires once per slot with two worker processes, and not at all once deleted", async () => {
    const put = Date.now();
    expect((await h.api("PUT", "/v1/schedules/fleet", EVERY_SECOND)).status).toBe(201);
    await waitFor("three rollouts of the sweep", async () =>
      (await rolloutsOf(h, "fleet")).length >= 3 ? true : undefined,
    );
    const runs = await runsOf(h, "fleet");
    expect((await h.api("DELETE", "/v1/schedules/fleet")).status).toBe(204);
    const deleted = Date.now();

    const rollouts = await rolloutsOf(h, "fleet");
    // No slot fired twice: one rollout per slot, in distinct seconds, and no more than there were slots.
    const seconds = rollouts.map((r) => r.createdAt.slice(0, 19));
    expect(new Set(seconds).size).toBe(rollouts.length);
    expect(rollouts.length).toBeLessThanOrEqual(Math.ceil((deleted - put) / 1000) + 1);
    const created = runs.filter((r) => r.rolloutId !== null);
    expect(new Set(created.map((r) => r.scheduledFor)).size).toBe(created.length);
    expect(new Set(created.map((r) => r.rolloutId)).size).toBe(created.length);
    expect(rollouts.map((r) => r.id)).toEqual(expect.arrayContaining(created.map((r) => r.rolloutId)));

    // Another sweep fires twice meanwhile: by then the deleted one would have fired again.
    expect((await h.api("PUT", "/v1/schedules/tick", EVERY_SECOND)).status).toBe(201);
    await waitFor("two rollouts of another sweep", async () =>
      (await rolloutsOf(h, "tick")).length >= 2 ? true : undefined,
    );
    expect(await rolloutsOf(h, "fleet")).toHaveLength(rollouts.length);
    expect((await h.api("DELETE", "/v1/schedules/tick")).status).toBe(204);
  });

  it("survives a restart of every worker, even with its BullMQ scheduler lost meanwhile", async () => {
    expect((await h.api("PUT", "/v1/schedules/restart", EVERY_SECOND)).status).toBe(201);
    await waitFor("a first rollout of the sweep", async () =>
      (await rolloutsOf(h, "restart")).length >= 1 ? true : undefined,
    );
    await stopWorkers();
    const before = (await rolloutsOf(h, "restart")).length;
    // The stored definition is the truth: workers put a lost scheduler back when they start.
    const control = new Queue(CONTROL_QUEUE, { connection: { url: env.REDIS_URL }, prefix: h.prefix });
    expect(await control.removeJobScheduler(jobIds.sweepScheduler("restart"))).toBe(true);
    await control.close();
    await startWorkers();
    await waitFor("two more rollouts after the restart", async () =>
      (await rolloutsOf(h, "restart")).length >= before + 2 ? true : undefined,
    );
    expect((await h.api("DELETE", "/v1/schedules/restart")).status).toBe(204);
  });
});
