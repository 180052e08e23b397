// The pipeline's core on a local 3-master Redis Cluster: the API in this process, two compiled
// worker processes, every connection a Cluster client. Create, plan, waves, cancel, retry, a
// kill -9 of a worker, compliance sweeps firing once per slot, and the keys spread over the
// three masters (rollout partitions and queues each in their own hash slot).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { cli, LocalCluster } from "./helpers/redis-topology.js";
import { everySecond, rolloutsOf } from "./helpers/schedules.js";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const WORKER_READY = /workers started/;
const PER_PROJECT = 100;
/** Refused by the manager whatever is sent: they fail, and fail again when retried. */
const REFUSED = [
  { project: "project-004", proxy: "proxy-00310" },
  { project: "project-004", proxy: "proxy-00377" },
];

// Steps of one story on one cluster (a rollout's terminal states, then the next): kept in order.
describe("the service on a 3-master Redis Cluster", { shuffle: false }, () => {
  let cluster: LocalCluster;
  let h: Harness;
  let env: Record<string, string>;
  const workers: ServiceProcess[] = [];
  const startWorker = async () => workers.push(await spawnService("worker", env, WORKER_READY));

  beforeAll(async () => {
    cluster = await LocalCluster.start();
    h = await startHarness(
      "cluster",
      { projects: 4, proxiesPerProject: PER_PROJECT, latencyMs: [2, 8], permanentFailures: REFUSED },
      { REDIS_URL: "", REDIS_CLUSTER_NODES: cluster.seeds },
      { mode: "api" },
    );
    env = { ...h.env, ENFORCER_WORKER_CONCURRENCY: "8", LOG_LEVEL: "info" };
    await startWorker();
    await startWorker();
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) w.child.kill("SIGKILL");
    await h?.stop();
    await cluster?.stop();
  });

  const create = async (body: Record<string, unknown>) => {
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, ...body });
    expect(created.status).toBe(202);
    return created.body.id as string;
  };

  it("plans a rollout and runs its waves to the end", async () => {
    const id = await create({
      targets: { projects: ["project-001", "project-002"] },
      strategy: { waves: [10, "50%", "100%"] },
    });
    const done = await h.waitForStatus(id, ["succeeded", "failed", "paused"], 60_000);
    expect(done.status).toBe("succeeded");
    expect(done.counts).toMatchObject({ total: 200, succeeded: 200, pending: 0, running: 0 });
    expect(done.wave).toEqual({ current: 3, total: 3 });
    const patched = h.sim.state.proxies().filter((p) => p.patchCount > 0);
    expect(patched).toHaveLength(200);
    expect(patched.every((p) => p.patchCount === 1)).toBe(true);
  });

  it("ends every target in one terminal state after a worker is killed (-9) mid-rollout", async () => {
    h.sim.state.reset();
    const id = await create({ targets: { projects: ["project-001", "project-002", "project-003"] } });
    await waitFor("50 PATCHes", () => (h.sim.state.totalPatches() >= 50 ? true : undefined));
    workers[0]?.child.kill("SIGKILL");
    await workers[0]?.exited;
    await startWorker();
    const done = await h.waitForStatus(id, ["succeeded", "failed", "paused"], 90_000);
    expect(done.status).toBe("succeeded");
    expect(done.counts).toMatchObject({ total: 300, succeeded: 300, pending: 0, running: 0 });
    const proxies = h.sim.state.proxies().filter((p) => p.project !== "project-004");
    expect(proxies.every((p) => p.patchCount >= 1 && p.patchCount <= 2)).toBe(true);
  });

  it("cancels a running rollout: nothing left pending or running", async () => {
    h.sim.state.reset();
    h.sim.state.update({ latencyMs: 40 });
    const id = await create({ targets: { projects: ["*"] } });
    await waitFor("20 PATCHes", () => (h.sim.state.totalPatches() >= 20 ? true : undefined));
    expect((await h.api("POST", `/v1/rollouts/${id}/cancel`)).status).toBe(200);
    await h.waitForStatus(id, ["cancelled"]);
    // Jobs in flight at the cancel finish; their outcomes are recorded, nothing stays open.
    const done = await waitFor("the in-flight targets recorded", async () => {
      const { body } = await h.api("GET", `/v1/rollouts/${id}`);
      return body.counts.running === 0 ? body : undefined;
    });
    const c = done.counts;
    expect(c.pending).toBe(0);
    expect(c.cancelled).toBeGreaterThan(0);
    expect(c.succeeded + c.failed + c.cancelled + c.skipped).toBe(400);
    expect(done.status).toBe("cancelled");
    h.sim.state.update({ latencyMs: [2, 8] });
  });

  it("retries only the failed targets", async () => {
    h.sim.state.reset();
    const id = await create({ targets: { projects: ["project-004"] }, strategy: { maxErrors: 5 } });
    const failed = await h.waitForStatus(id, ["succeeded", "failed", "paused"], 60_000);
    expect(failed.status).toBe("failed");
    expect(failed.counts).toMatchObject({ succeeded: PER_PROJECT - 2, failed: 2 });
    const patches = () => h.sim.state.requestCounts()["PATCH mtls"] ?? 0;
    const sent = patches();
    expect((await h.api("POST", `/v1/rollouts/${id}/retry`)).status).toBe(200);
    const again = await h.waitForStatus(id, ["succeeded", "failed", "paused"], 60_000);
    // Still refused by the manager: each failed target was sent exactly once more.
    expect(again.counts).toMatchObject({ succeeded: PER_PROJECT - 2, failed: 2 });
    expect(patches() - sent).toBe(2);
  });

  it("fires a compliance sweep once per slot with two worker processes", async () => {
    const put = Date.now();
    expect((await h.api("PUT", "/v1/schedules/cluster-sweep", everySecond())).status).toBe(201);
    await waitFor("three rollouts of the sweep", async () =>
      (await rolloutsOf(h, "cluster-sweep")).length >= 3 ? true : undefined,
    );
    expect((await h.api("DELETE", "/v1/schedules/cluster-sweep")).status).toBe(204);
    const deleted = Date.now();
    const rollouts = await rolloutsOf(h, "cluster-sweep");
    const seconds = rollouts.map((r) => r.createdAt.slice(0, 19));
    expect(new Set(seconds).size).toBe(rollouts.length);
    expect(rollouts.length).toBeLessThanOrEqual(Math.ceil((deleted - put) / 1000) + 1);
  });

  it("lists every rollout newest first, audits them, and spreads the keys over all three masters", async () => {
    const { body } = await h.api("GET", "/v1/rollouts?limit=1000");
    const ids = (body.items as Array<{ id: string }>).map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    expect([...ids].sort().reverse()).toEqual(ids);
    // The outbox of every partition reached the audit trail.
    await waitFor("an audit entry per rollout", async () => {
      const audit = await h.api("GET", "/v1/audit?limit=1000");
      const audited = new Set((audit.body.items as Array<{ rolloutId?: string }>).map((e) => e.rolloutId));
      return ids.every((id) => audited.has(id)) ? true : undefined;
    });
    const sizes = await Promise.all(cluster.nodes.map(async (n) => Number(await cli(n.port, "DBSIZE"))));
    console.info(`cluster: keys per master ${sizes.join(", ")}`);
    expect(sizes.every((n) => n > 0)).toBe(true);
  });
});
