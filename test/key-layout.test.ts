// The key layout for Redis Cluster: every Lua script the service loads is called with keys of one
// hash slot (a cluster refuses a script whose keys span slots), rollouts spread over partitions,
// queues of different gateways over slots, and listing merges the partitions in order.
import { createRequire } from "node:module";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { AuditLog } from "../src/audit/audit-log.js";
import { RolloutEngine } from "../src/engine/engine.js";
import { PolicyStore } from "../src/named-policies/policy-store.js";
import type { PolicyBody } from "../src/named-policies/schema.js";
import { GatewayRates } from "../src/queue/adaptive-rate.js";
import { GatewayLimiter } from "../src/queue/gateway-limiter.js";
import { CONTROL_QUEUE, targetQueueName, WEBHOOK_QUEUE } from "../src/queue/queue-names.js";
import { Queues } from "../src/queue/queues.js";
import type { RolloutSpec } from "../src/rollouts/schema.js";
import { ScheduleStore } from "../src/schedules/schedule-store.js";
import type { ScheduleDefinition } from "../src/schedules/schema.js";
import { startNextPhase } from "../src/service/phase-chain.js";
import { Keys, newRolloutId, PARTITIONS, partitionOf } from "../src/store/keys.js";
import { newRolloutFields } from "../src/store/rollout-fields.js";
import { RolloutStore } from "../src/store/rollout-store.js";
import { offlineGateway } from "./helpers/gateway-config.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";

// The slot function ioredis routes cluster commands with (a dev dependency here, at ioredis' own
// version; it ships no types).
const slotOf = createRequire(import.meta.url)("cluster-key-slot") as (key: string) => number;

interface ScriptCall {
  script: string;
  keys: string[];
}

/** A connection that records, for every script defined on it, the keys of each call. */
class RecordingRedis extends Redis {
  readonly defined = new Set<string>();
  readonly calls: ScriptCall[] = [];

  override defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void {
    super.defineCommand(name, definition);
    this.defined.add(name);
    const self = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const run = self[name];
    if (run === undefined) return;
    self[name] = (...args: unknown[]) => {
      const fixed = definition.numberOfKeys;
      const keys = fixed === undefined ? args.slice(1, 1 + Number(args[0])) : args.slice(0, fixed);
      this.calls.push({ script: name, keys: keys.map(String) });
      return run.apply(this, args);
    };
  }
}

const prefix = uniquePrefix("key-layout");
const keys = new Keys(prefix);
const redis = new RecordingRedis(REDIS_URL);
const plain = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queues = new Queues(plain, prefix, ["north", "south"]);

afterAll(async () => {
  await queues.close();
  await dropPrefix(prefix);
  redis.disconnect();
  plain.disconnect();
});

const gateway = (name: string) =>
  offlineGateway(name, { adaptive: { floor: 5, cut: 0.5, step: 10, latencyFactor: 0 } });

/** Every step of a rollout's life, so that each engine script runs at least once. */
async function driveEngine(engine: RolloutEngine): Promise<void> {
  const now = Date.now();
  const idem = keys.idempotency("alice", "key-1");
  const id = newRolloutId(now, idem.partition);
  const by = { actor: "alice", action: "create" };
  const created = { key: idem.key, value: `hash ${id}`, ttlSeconds: 60 };
  await engine.create(id, { status: "planning", spec: "{}", updatedAt: "0" }, by, created);
  await engine.writeTargets(
    id,
    Array.from({ length: 6 }, (_, i) => ({
      identity: { p: "P", n: `x${i}`, w: 1 },
      status: "pending" as const,
    })),
  );
  await engine.start(id, [6], 10);
  const offered = await engine.offer(id);
  const [first, second, ...rest] = offered;
  if (first === undefined || second === undefined) throw new Error("nothing offered");
  await engine.finish(id, [{ index: first.index, jobId: first.jobId, to: "succeeded" }]);
  await engine.recall(id, [second]);
  await engine.control(id, "pause", "alice", "paused by alice");
  await engine.control(id, "cancel", "alice", "cancelled by alice");
  await engine.sweep(id);
  await engine.finish(
    id,
    rest.map((o) => ({ index: o.index, jobId: o.jobId, to: "cancelled" as const })),
  );
  await engine.advance(id, 1, false);
  // An after-save root that succeeded: its first deploy phase is created and linked from it.
  const root = newRolloutId(now);
  const spec: RolloutSpec = {
    gateway: "north",
    policy: { mtls: { enabled: true } },
    targets: { projects: ["*"] },
    deploy: { environments: ["test"], mode: "after-save" },
    dryRun: false,
  };
  await engine.create(root, { ...newRolloutFields(spec, "alice", new Date(now)), status: "succeeded" }, by);
  const store = new RolloutStore(redis, prefix);
  const phase = await startNextPhase({ engine, store, dispatcher: { plan: async () => {} } }, root);
  expect(phase.kind).toBe("created");
  for (const step of ["failPlanning", "pausePlanning"] as const) {
    const other = newRolloutId(now);
    await engine.create(other, { status: "planning", spec: "{}", updatedAt: "0" }, by);
    await engine[step](other, "because");
  }
}

async function driveSchedulesAndPolicies(): Promise<void> {
  const policies = new PolicyStore(redis, prefix, 1000);
  const schedules = new ScheduleStore(redis, prefix, 1000);
  const limits = { maxPolicies: 10, maxVersions: 10 };
  await policies.put("tls", { policy: { mtls: { enabled: true } } } as PolicyBody, "alice", limits);
  const definition = {
    cron: "0 3 * * *",
    timezone: "UTC",
    rollout: { gateway: "north", policyRef: "tls", targets: { projects: ["*"] } },
  } as unknown as ScheduleDefinition;
  await schedules.put("nightly", definition, "alice", new Date(), 10);
  await schedules.exclusive("nightly", () =>
    schedules.record("nightly", { at: new Date().toISOString(), rolloutId: "r1" }, Date.now()),
  );
  await schedules.delete("nightly", "alice");
  await policies.delete("tls", "alice");
  await new AuditLog(redis, keys.audit, 1000).recordOnce(keys.auditSeen("1-0"), {
    actor: "alice",
    action: "rollout.create",
  });
}

async function driveGateway(): Promise<void> {
  const north = gateway("north");
  const limiter = new GatewayLimiter(redis, prefix, north);
  await limiter.run(async () => "called", new AbortController().signal);
  await limiter.pause(10);
  const rates = new GatewayRates(
    redis,
    prefix,
    new Map([["north", north]]),
    queues,
    pino({ level: "silent" }),
  );
  try {
    await rates.start("north");
  } finally {
    rates.stop();
  }
}

describe("key layout", () => {
  it("calls every Lua script the service loads with keys of one hash slot, all under the prefix", async () => {
    await driveEngine(new RolloutEngine(redis, keys, { eventsMaxLen: 1000, window: 4 }));
    await driveSchedulesAndPolicies();
    await driveGateway();

    // Engine (10), sweeps (4), named policies (2), audit (1), gateway limiter (2), adaptive rate (1).
    expect(redis.defined.size).toBe(20);
    expect(new Set(redis.calls.map((c) => c.script))).toEqual(redis.defined);
    for (const call of redis.calls) {
      const slots = new Set(call.keys.map(slotOf));
      expect(slots.size, `${call.script}: ${call.keys.join(" ")}`).toBe(1);
      for (const key of call.keys) expect(key.startsWith(`${prefix}:`), key).toBe(true);
    }
  });

  it("spreads one gateway's rollouts over the partitions, and each partition over a slot of its own", () => {
    const now = Date.now();
    const used = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(newRolloutId(now + i))));
    expect(used.size).toBeGreaterThanOrEqual(12);
    // The default prefix (a random one could, rarely, put two tags on one slot).
    const deployed = new Keys("enforcer");
    const partitionSlots = new Set(Array.from({ length: PARTITIONS }, (_, n) => slotOf(deployed.events(n))));
    expect(partitionSlots.size).toBe(PARTITIONS);
    expect(partitionSlots.has(slotOf(deployed.globalEvents))).toBe(false);
  });

  it("puts each queue in a slot of its own, with its gateway's limiter keys", () => {
    const slots = [CONTROL_QUEUE, WEBHOOK_QUEUE, targetQueueName("north"), targetQueueName("south")].map(
      (name) => slotOf(`${prefix}:${name}:wait`),
    );
    expect(new Set(slots).size).toBe(4);
    expect(slotOf(queues.targets("north").keys.meta as string)).toBe(slots[2]);
  });

  it("lists rollouts of every partition newest first, page by page, and oldest first for pruning", async () => {
    const engine = new RolloutEngine(plain, keys, { eventsMaxLen: 1000, window: 4 });
    const store = new RolloutStore(plain, prefix);
    const start = Date.now() - 60_000;
    const ids = Array.from({ length: 40 }, (_, i) => newRolloutId(start + i * 10));
    for (const id of ids) {
      await engine.create(
        id,
        { status: "planning", spec: "{}", updatedAt: "0" },
        { actor: "a", action: "create" },
      );
    }
    expect(new Set(ids.map(partitionOf)).size).toBeGreaterThan(1);
    const listed = (await store.listIds(1000)).filter((id) => ids.includes(id));
    expect(listed).toEqual([...ids].reverse());

    const paged: string[] = [];
    let cursor: string | undefined = [...ids].reverse()[0];
    paged.push(cursor as string);
    while (cursor !== undefined) {
      const page: string[] = await store.listIds(7, cursor);
      paged.push(...page.filter((id) => ids.includes(id)));
      cursor = page.length === 7 ? page.at(-1) : undefined;
    }
    expect(paged).toEqual([...ids].reverse());
    expect(await store.idsCreatedBefore(start + 95, 5)).toEqual(ids.slice(0, 5));
    expect(await store.idsCreatedBefore(start + 95, 50, ids[4])).toEqual(ids.slice(5, 10));
    expect(
      (await store.getMany([ids[3] as string, "r000000000missing0", ids[30] as string])).map((r) => r?.id),
    ).toEqual([ids[3], undefined, ids[30]]);
    expect(await store.activeIds()).toEqual(expect.arrayContaining(ids));
  });
});
