import { QueueEvents } from "bullmq";
import { CronExpressionParser } from "cron-parser";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROL_QUEUE, jobIds } from "../src/queue/queue-names.js";
import { Queues } from "../src/queue/queues.js";
import { Keys } from "../src/store/keys.js";
import { REDIS_URL } from "./helpers/redis.js";
import { AUDIT, auditOf, everySecond, rolloutsOf, runsOf, sweepBody } from "./helpers/schedules.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const TERMINAL = ["succeeded", "failed", "cancelled"];

describe("compliance sweeps (one process)", () => {
  let h: Harness;
  let redis: Redis;

  beforeAll(async () => {
    h = await startHarness("schedules", { projects: 1, proxiesPerProject: 3 });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  /** BullMQ's job scheduler ids on the control queue. */
  const jobSchedulers = () => redis.zrange(`${h.prefix}:${CONTROL_QUEUE}:repeat`, 0, -1);

  describe("refuses bad definitions with a 4xx naming the field, and stores nothing", () => {
    it.each<[string, Record<string, unknown>, string]>([
      ["a cron field out of range", sweepBody({ cron: "61 * * * *" }), "cron"],
      ["a cron expression that is not one", sweepBody({ cron: "every day" }), "cron"],
      ["an empty cron expression", sweepBody({ cron: " " }), "cron"],
      ["neither cron nor every", { timezone: "UTC", rollout: AUDIT }, "cron"],
      ["both cron and every", sweepBody({ every: 5000 }), "cron"],
      ["an interval under a second", { every: 10, rollout: AUDIT }, "every"],
      ["an unknown time zone", sweepBody({ timezone: "Mars/Base" }), "timezone"],
      [
        "mTLS enabled without a key store",
        sweepBody({ rollout: { ...AUDIT, policy: { mtls: { enabled: true } } } }),
        "rollout.policy.mtls.keyStoreId",
      ],
      [
        "an unknown hostname verifier",
        sweepBody({
          rollout: { ...AUDIT, policy: { mtls: { ...POLICY.mtls, hostnameVerifierType: "LOOSE" } } },
        }),
        "rollout.policy.mtls.hostnameVerifierType",
      ],
      ["no rollout", { cron: "0 3 * * *" }, "rollout"],
      ["an unknown gateway", sweepBody({ rollout: { ...AUDIT, gateway: "elsewhere" } }), "rollout.gateway"],
      ["an unknown field", sweepBody({ when: "daily" }), "when"],
    ])("%s", async (_, body, path) => {
      const res = await h.api("PUT", "/v1/schedules/bad-one", body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("validation_failed");
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it.each([
      ["a dot", "bad.name"],
      ["a colon", "a%3Aruns"],
      ["a space", "two%20words"],
      ["65 characters", "x".repeat(65)],
    ])("a name with %s", async (_, name) => {
      const res = await h.api("PUT", `/v1/schedules/${name}`, sweepBody());
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: "name" })]);
    });

    it("callers below admin, or without a token", async () => {
      for (const token of [TOKENS.operator, TOKENS.viewer]) {
        expect((await h.api("PUT", "/v1/schedules/bad-one", sweepBody(), { token })).status).toBe(403);
        expect((await h.api("GET", "/v1/schedules", undefined, { token })).status).toBe(403);
      }
      expect((await h.api("PUT", "/v1/schedules/bad-one", sweepBody(), { token: null })).status).toBe(401);
    });

    it("left no definition and no job scheduler behind", async () => {
      // Other tests of this file create sweeps of their own: only the refused one must be absent.
      const names = (await h.api("GET", "/v1/schedules")).body.items.map((s: { name: string }) => s.name);
      expect(names).not.toContain("bad-one");
      expect((await h.api("GET", "/v1/schedules/bad-one")).status).toBe(404);
      expect(await redis.keys(`${new Keys(h.prefix).schedule("bad-one")}*`)).toEqual([]);
      expect((await jobSchedulers()).filter((id) => id.includes("bad-one"))).toEqual([]);
    });
  });

  it("creates, reads, replaces, lists and deletes a sweep, with its next run time", async () => {
    const nextRun = (cron: string, tz: string) =>
      CronExpressionParser.parse(cron, { tz }).next().toISOString();
    const created = await h.api("PUT", "/v1/schedules/nightly", sweepBody({ timezone: "Europe/Istanbul" }));
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/v1/schedules/nightly");
    expect(created.body).toMatchObject({
      name: "nightly",
      cron: "0 3 * * *",
      every: null,
      timezone: "Europe/Istanbul",
      rollout: { gateway: "default", dryRun: true, targets: { projects: ["*"] } },
      createdBy: "alice",
      nextRunAt: nextRun("0 3 * * *", "Europe/Istanbul"),
      lastRolloutId: null,
      runs: [],
    });
    expect(await jobSchedulers()).toContain("sweep.nightly");

    const replaced = await h.api("PUT", "/v1/schedules/nightly", sweepBody({ cron: "30 4 * * 1" }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      cron: "30 4 * * 1",
      timezone: "UTC",
      createdAt: created.body.createdAt,
      nextRunAt: nextRun("30 4 * * 1", "UTC"),
    });
    const read = await h.api("GET", "/v1/schedules/nightly");
    expect(read.status).toBe(200);
    expect(read.body).toEqual(replaced.body);

    // The interval extension: every n ms instead of a cron expression.
    const interval = await h.api("PUT", "/v1/schedules/hourly", { every: 3_600_000, rollout: AUDIT });
    expect(interval.status).toBe(201);
    expect(interval.body).toMatchObject({ cron: null, every: 3_600_000, timezone: "UTC" });
    expect(Date.parse(interval.body.nextRunAt)).toBeGreaterThan(Date.now());
    expect((await h.api("DELETE", "/v1/schedules/hourly")).status).toBe(204);

    const list = await h.api("GET", "/v1/schedules");
    expect(
      list.body.items.map((s: { name: string; nextRunAt: string }) => [s.name, s.nextRunAt]),
    ).toContainEqual(["nightly", replaced.body.nextRunAt]);

    expect((await h.api("DELETE", "/v1/schedules/nightly")).status).toBe(204);
    expect((await h.api("GET", "/v1/schedules/nightly")).status).toBe(404);
    expect((await h.api("DELETE", "/v1/schedules/nightly")).status).toBe(404);
    expect((await h.api("POST", "/v1/schedules/nightly/run")).status).toBe(404);
    expect(await jobSchedulers()).not.toContain("sweep.nightly");
    expect(await redis.keys(`${new Keys(h.prefix).schedule("nightly")}*`)).toEqual([]);
    expect((await auditOf(h, "nightly")).map((e) => [e.actor, e.action, e.detail])).toEqual([
      ["alice", "schedule.put", "created"],
      ["alice", "schedule.put", "replaced"],
      ["alice", "schedule.delete", undefined],
    ]);
  });

  it("runs now: an ordinary dry-run rollout (an audit) created by schedule:<name>", async () => {
    const patchesBefore = h.sim.state.totalPatches();
    expect((await h.api("PUT", "/v1/schedules/audit-now", sweepBody())).status).toBe(201);
    const run = await h.api("POST", "/v1/schedules/audit-now/run");
    expect(run.status).toBe(202);
    expect(run.body).toMatchObject({ createdBy: "schedule:audit-now", dryRun: true });
    expect(run.headers.get("location")).toBe(`/v1/rollouts/${run.body.id}`);

    const done = await h.waitForStatus(run.body.id, TERMINAL);
    expect(done).toMatchObject({ status: "succeeded", counts: { total: 3, planned: 3 } });
    // The audit says what an enforcing sweep would send to each proxy, and sent nothing.
    const planned = await h.api("GET", `/v1/rollouts/${run.body.id}/targets?status=planned`);
    expect(planned.body.items).toHaveLength(3);
    expect(planned.body.items[0].requests).toBeDefined();
    expect(h.sim.state.totalPatches()).toBe(patchesBefore);

    const read = await h.api("GET", "/v1/schedules/audit-now");
    expect(read.body.lastRolloutId).toBe(run.body.id);
    expect(read.body.runs).toEqual([
      {
        at: expect.any(String),
        scheduledFor: null,
        requestedBy: "alice",
        rolloutId: run.body.id,
        status: "succeeded",
        reason: null,
      },
    ]);
    expect(await auditOf(h, "audit-now")).toContainEqual(
      expect.objectContaining({ actor: "alice", action: "schedule.run", rolloutId: run.body.id }),
    );
    expect((await h.api("DELETE", "/v1/schedules/audit-now")).status).toBe(204);
  });

  it("creates one rollout for a slot whose job runs twice (stalled and re-run)", async () => {
    expect((await h.api("PUT", "/v1/schedules/twice", sweepBody())).status).toBe(201);
    // The service's own queue settings: a firing that finds the sweep busy is retried.
    const queues = new Queues(redis, h.prefix, []);
    const control = queues.control;
    try {
      // What the job scheduler puts on the queue for a slot, twice, at once.
      const slot = Date.UTC(2030, 0, 1, 3);
      const job = { rolloutId: "", schedule: "twice" };
      await Promise.all(
        ["dup-1", "dup-2"].map((jobId) => control.add("sweep", job, { jobId, prevMillis: slot })),
      );
      await waitFor("both jobs to complete", async () => {
        const states = await Promise.all(["dup-1", "dup-2"].map((id) => control.getJobState(id)));
        // Completed jobs are removed, so they read as unknown.
        return states.every((state) => state === "unknown") ? true : undefined;
      });
      const rollouts = await rolloutsOf(h, "twice");
      expect(rollouts).toHaveLength(1);
      expect(await runsOf(h, "twice")).toEqual([
        expect.objectContaining({ scheduledFor: new Date(slot).toISOString(), rolloutId: rollouts[0]?.id }),
      ]);
    } finally {
      await queues.close();
    }
    expect((await h.api("DELETE", "/v1/schedules/twice")).status).toBe(204);
  });

  it("fires on a per-second cron: one rollout per slot", async () => {
    expect((await h.api("PUT", "/v1/schedules/every-second", everySecond())).status).toBe(201);
    const runs = await waitFor("two rollouts of the sweep", async () => {
      const created = (await runsOf(h, "every-second")).filter((r) => r.rolloutId !== null);
      return created.length >= 2 ? created : undefined;
    });
    expect((await h.api("DELETE", "/v1/schedules/every-second")).status).toBe(204);

    const slots = runs.map((r) => r.scheduledFor);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(Date.parse(slot ?? "") % 1000).toBe(0);
    const rollouts = await rolloutsOf(h, "every-second");
    expect(rollouts.map((r) => r.id)).toEqual(expect.arrayContaining(runs.map((r) => r.rolloutId)));
    expect(rollouts.every((r) => r.dryRun)).toBe(true);
  });

  it("records each firing's own slot as scheduledFor, for an interval sweep too", async () => {
    const every = 2000;
    // The slots BullMQ fires, from the ids of the scheduler's jobs as they start.
    const events = new QueueEvents(CONTROL_QUEUE, { connection: { url: REDIS_URL }, prefix: h.prefix });
    const jobPrefix = `repeat:${jobIds.sweepScheduler("interval")}:`;
    const fired = new Set<string>();
    events.on("active", ({ jobId }) => {
      if (jobId.startsWith(jobPrefix))
        fired.add(new Date(Number(jobId.slice(jobPrefix.length))).toISOString());
    });
    await events.waitUntilReady();
    try {
      const body = { every, allowFrequent: true, rollout: AUDIT };
      expect((await h.api("PUT", "/v1/schedules/interval", body)).status).toBe(201);
      const runs = await waitFor("three firings", async () => {
        const recorded = await runsOf(h, "interval");
        return recorded.length >= 3 ? recorded : undefined;
      });
      expect((await h.api("DELETE", "/v1/schedules/interval")).status).toBe(204);
      await waitFor("the firings' job events", () => (fired.size >= runs.length ? true : undefined));

      const slots = runs.map((run) => Date.parse(run.scheduledFor ?? ""));
      for (const run of runs) {
        expect([...fired]).toContain(run.scheduledFor);
        // Fired at its slot or after, and before the next one: not the previous firing's time.
        const late = Date.parse(run.at) - Date.parse(run.scheduledFor ?? "");
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(every);
      }
      // Newest first, one interval apart (or a multiple of it, had a slot been missed).
      for (let i = 1; i < slots.length; i++) {
        const gap = (slots[i - 1] ?? 0) - (slots[i] ?? 0);
        expect(gap).toBeGreaterThan(0);
        expect(gap % every).toBe(0);
      }
    } finally {
      await events.close();
    }
  });

  it("skips (and records) a firing while its previous rollout still runs, never stacking them", async () => {
    // Every manager call takes a while, so one rollout spans several one-second slots.
    h.sim.state.update({ latencyMs: 700 });
    try {
      const body = everySecond({ rollout: { ...AUDIT, dryRun: false } });
      expect((await h.api("PUT", "/v1/schedules/slow", body)).status).toBe(201);
      const skip = await waitFor("a skipped firing", async () => {
        return (await runsOf(h, "slow")).find((r) => r.status === "skipped");
      });
      expect(skip).toMatchObject({
        scheduledFor: expect.any(String),
        rolloutId: null,
        reason: expect.stringMatching(/^the previous rollout r[\w-]+ is still (planning|running)$/),
      });
      const running = await rolloutsOf(h, "slow");
      expect(running).toHaveLength(1);
      expect(skip.reason).toContain(running[0]?.id);
      expect(await auditOf(h, "slow")).toContainEqual(
        expect.objectContaining({ actor: "schedule:slow", action: "schedule.skipped", detail: skip.reason }),
      );

      // Run now is refused the same way, and says why.
      const now = await h.api("POST", "/v1/schedules/slow/run");
      expect(now.status).toBe(409);
      expect(now.body.message).toMatch(/still (planning|running)/);

      expect((await h.api("DELETE", "/v1/schedules/slow")).status).toBe(204);
      expect(await rolloutsOf(h, "slow")).toEqual([expect.objectContaining({ id: running[0]?.id })]);
      await h.waitForStatus(running[0]?.id ?? "", TERMINAL);
    } finally {
      h.sim.state.update({ latencyMs: 0 });
    }
  });
});
