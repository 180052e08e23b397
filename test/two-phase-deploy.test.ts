// Save everywhere, then deploy (`deploy.mode: "after-save"`), end to end against the simulator over
// HTTP and real Redis: every target is saved before any deploy call, each environment is a phase
// (a rollout of its own) created from the outbox exactly once, and a failing phase stops the next.
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolloutContract, targetPageContract } from "../src/contracts/rollouts.js";
import { RolloutEngine } from "../src/engine/engine.js";
import { parseEvent, type StatusEvent } from "../src/engine/events.js";
import { eventProjections } from "../src/events/event-projections.js";
import { createMetrics } from "../src/metrics/registry.js";
import { Dispatcher } from "../src/queue/dispatcher.js";
import { Queues } from "../src/queue/queues.js";
import { SpecCache } from "../src/queue/spec-cache.js";
import type { JournalEntry } from "../src/simulator/types.js";
import { partitionOf } from "../src/store/keys.js";
import { RolloutStore } from "../src/store/rollout-store.js";
import { notifier } from "../src/webhooks/notifier.js";
import { expectConforms } from "./helpers/contract.js";
import { REDIS_URL } from "./helpers/redis.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const PROJECTS = ["project-001", "project-002", "project-003", "project-004"];
const ENVIRONMENTS = ["test", "production"];
const FAILURE = "gateway pods not ready";

describe("two-phase deploy: save everywhere, then each environment", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("two-phase", {
      projects: 4,
      proxiesPerProject: 10,
      journal: true,
      fleet: [
        {
          name: "Fragile",
          proxies: [{ name: "alpha" }, { name: "beta" }, { name: "gamma" }],
        },
      ],
      deployFailures: [{ project: "Fragile", proxy: "beta", environment: "test", message: FAILURE }],
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Creates an after-save rollout and waits until its chain of phases went as far as it will. */
  async function rollAfterSave(projects: string[], strategy: Record<string, unknown>) {
    const from = h.sim.state.journal().length;
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects },
      deploy: { environments: ENVIRONMENTS, mode: "after-save" },
      strategy,
    });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const root = await waitFor(
      `rollout ${id}'s phases to end`,
      async () => {
        const { body } = await h.api("GET", `/v1/rollouts/${id}`);
        const last = body.phases.at(-1);
        const ended = ["succeeded", "failed", "cancelled"].includes(last?.status);
        return ended || body.phasesReason !== null ? body : undefined;
      },
      60_000,
    );
    const targets = await h.api("GET", `/v1/rollouts/${id}/targets?limit=1000`);
    expectConforms(rolloutContract, root, "the after-save rollout");
    expectConforms(targetPageContract, targets.body, "its targets");
    // The manager's requests since this rollout was created (other tests' rollouts came before).
    const journal = h.sim.state.journal().slice(from);
    return { root, targets: targets.body.items as any[], journal };
  }

  const deploysTo = (entries: readonly JournalEntry[], environment: string) =>
    entries.filter((e) => e.request === "POST deploy" && e.params.environmentName === environment);

  it("saves every target before any deploy, and deploys production only after test everywhere", async () => {
    const { root, targets, journal } = await rollAfterSave(PROJECTS, {
      waves: [10, "50%", "100%"],
      bakeSeconds: 0,
    });
    expect(root.status).toBe("succeeded");
    expect(root.phasesReason).toBeNull();
    expect(root.phases.map((p: any) => [p.environment, p.status])).toEqual([
      ["test", "succeeded"],
      ["production", "succeeded"],
    ]);
    const entries = journal;
    const seq = (entry: JournalEntry) => entries.indexOf(entry);
    const patches = entries.filter((e) => e.request.startsWith("PATCH "));
    const tests = deploysTo(entries, "test");
    const prods = deploysTo(entries, "production");
    expect([patches.length, tests.length, prods.length]).toEqual([40, 40, 40]);
    const lastPatch = Math.max(...patches.map(seq));
    const firstDeploy = Math.min(...[...tests, ...prods].map(seq));
    expect(lastPatch).toBeLessThan(firstDeploy);
    expect(Math.max(...tests.map(seq))).toBeLessThan(Math.min(...prods.map(seq)));
    const t0 = patches[0]?.at ?? 0;
    const at = (e: JournalEntry | undefined) => (e?.at ?? 0) - t0;
    console.info(
      `two-phase order: ${patches.length} PATCHes at t=0..${at(patches.at(-1))} ms, test deploys ${at(tests[0])}..${at(tests.at(-1))} ms, production deploys ${at(prods[0])}..${at(prods.at(-1))} ms`,
    );

    // Each phase points back at the root; the root's targets show their deployments.
    for (const phase of root.phases) {
      const { body } = await h.api("GET", `/v1/rollouts/${phase.rolloutId}`);
      expect(body).toMatchObject({ phaseOf: root.id, environment: phase.environment, status: "succeeded" });
      expect(body.counts).toMatchObject({ total: 40, succeeded: 40 });
    }
    expect(targets).toHaveLength(40);
    for (const t of targets) {
      expect(t.deployments).toEqual([
        { environment: "test", status: "deployed", message: null },
        { environment: "production", status: "deployed", message: null },
      ]);
    }
  });

  it("a failed test deployment stops production: the root says why, the target shows it", async () => {
    const { root, targets, journal: entries } = await rollAfterSave(["Fragile"], { maxErrors: "100%" });
    expect(root.status).toBe("succeeded");
    const [test, production] = root.phases;
    expect(test).toMatchObject({ environment: "test", status: "failed" });
    expect(production).toEqual({ environment: "production", rolloutId: null, status: "not_started" });
    expect(root.phasesReason).toBe(
      `production not deployed: the test phase (${test.rolloutId}) ended failed (1 target(s) failed)`,
    );
    expect(deploysTo(entries, "test")).toHaveLength(3);
    expect(deploysTo(entries, "production")).toHaveLength(0);
    const beta = targets.find((t) => t.proxy === "beta");
    expect(beta.status).toBe("succeeded");
    expect(beta.deployments).toEqual([
      { environment: "test", status: "failed", message: expect.stringContaining(FAILURE) },
      { environment: "production", status: "not_started", message: null },
    ]);
    const alpha = targets.find((t) => t.proxy === "alpha");
    expect(alpha.deployments.map((d: any) => d.status)).toEqual(["deployed", "not_started"]);

    // The report carries the same, one column.
    const report = await h.api("GET", `/v1/rollouts/${root.id}/report`);
    const row = report.body.targets.find((t: any) => t.proxy === "beta");
    expect(row.deployments).toMatch(/^test: failed \(.*gateway pods not ready.*\); production: not_started$/);
  });

  it("a test phase paused by its error budget holds production; cancelled, it stops it", async () => {
    const { root } = await rollAfterSave(["Fragile"], {});
    const [test] = root.phases;
    expect(test.status).toBe("paused");
    expect(root.phasesReason).toMatch(
      new RegExp(`^production waits: the test phase \\(${test.rolloutId}\\) is paused \\(.*error budget`),
    );
    const cancelled = await h.api("POST", `/v1/rollouts/${test.rolloutId}/cancel`);
    expect(cancelled.status).toBe(200);
    const { body } = await h.api("GET", `/v1/rollouts/${root.id}`);
    expect(body.phases[1]).toEqual({ environment: "production", rolloutId: null, status: "not_started" });
    expect(body.phasesReason).toMatch(
      /^production not deployed: the test phase \(r\S+\) ended cancelled \(cancelled by alice\)$/,
    );
  });

  it("a re-delivered event creates no second phase", async () => {
    const { root } = await rollAfterSave(["Fragile"], { maxErrors: "100%" });
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const { config } = h.runtime;
    const store = new RolloutStore(redis, h.prefix);
    const queues = new Queues(redis, h.prefix, config.gateways.keys());
    try {
      const engine = new RolloutEngine(redis, store.keys, { eventsMaxLen: 10_000, window: 100 });
      const dispatcher = new Dispatcher(engine, store, queues, new SpecCache(store), config.gateways);
      const handle = eventProjections({
        audit: h.runtime.audit,
        webhooks: notifier({ webhooks: config.webhooks, queues, backoffMs: 1000 }),
        store,
        metrics: createMetrics(),
        log: pino({ level: "silent" }),
        gateways: config.gateways,
        phases: { engine, store, dispatcher },
      });
      // The root's own `succeeded` event, as the outbox holds it: handled once already.
      const partition = partitionOf(root.id);
      const raw = (await redis.xrange(store.keys.events(partition), "-", "+")) as Array<[string, string[]]>;
      const event = raw
        .map(([id, flat]) => parseEvent(`${id}-p${partition}`, flat))
        .find(
          (e): e is StatusEvent =>
            e?.kind === "status" && e.rolloutId === root.id && e.status === "succeeded",
        );
      expect(event).toBeDefined();
      // A phase is created in its root's partition.
      const before = await redis.zcard(store.keys.index(partition));
      await handle([event as StatusEvent]);
      await handle([event as StatusEvent]);
      expect(await redis.zcard(store.keys.index(partition))).toBe(before);
      const { body } = await h.api("GET", `/v1/rollouts/${root.id}`);
      expect(body.phases[0].rolloutId).toBe(root.phases[0].rolloutId);
    } finally {
      await queues.close();
      redis.disconnect();
    }
  });

  it.each([
    ["a mode other than the two", { environments: ["test"], mode: "later" }, "deploy.mode"],
    ["after-save without environments", { mode: "after-save" }, "deploy.environments"],
    ["after-save with no environment", { environments: [], mode: "after-save" }, "deploy.environments"],
  ])("refuses %s (400 naming the field)", async (_, deploy, field) => {
    const res = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Fragile"] },
      deploy,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_failed");
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it("a dry run plans the saves only and says what it would deploy", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Fragile"] },
      deploy: { environments: ENVIRONMENTS, mode: "after-save" },
      dryRun: true,
    });
    const done = await h.waitForStatus(created.body.id, ["succeeded"]);
    expect(done.phasesReason).toBe(
      "a dry run: once every target is saved, test, then production would be deployed",
    );
    expect(done.phases.map((p: any) => p.status)).toEqual(["not_started", "not_started"]);
    const targets = await h.api("GET", `/v1/rollouts/${done.id}/targets`);
    const requests = targets.body.items[0].requests as Array<{ method: string; path: string }>;
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.method === "PATCH")).toBe(true);
  });
});
