import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../src/audit/audit-log.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

// project-001: 10 proxies, proxy-00002 always refuses the PATCH; project-002: 10 proxies that accept.
describe("audit trail", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "audit",
      {
        projects: 2,
        proxiesPerProject: 10,
        permanentFailures: [{ project: "project-001", proxy: "proxy-00002", message: "locked" }],
      },
      // One target in flight at a time, so a pause lands while the rest are still pending.
      { ENFORCER_AUDIT_MAXLEN: "100", ENFORCER_WORKER_CONCURRENCY: "1" },
    );
  });
  afterAll(() => h?.stop());

  const asOperator = { token: TOKENS.operator };
  const entriesOf = async (rolloutId: string): Promise<AuditEntry[]> => {
    const { body } = await h.api("GET", "/v1/audit?limit=1000");
    return body.items.filter((e: AuditEntry) => e.rolloutId === rolloutId);
  };
  const waitForEntry = (rolloutId: string, match: Partial<AuditEntry>) =>
    waitFor(`audit entry ${JSON.stringify(match)}`, async () => {
      const entries = await entriesOf(rolloutId);
      return entries.some((e) => Object.entries(match).every(([k, v]) => e[k as keyof AuditEntry] === v))
        ? entries
        : undefined;
    });

  it("records each call with its caller and each state change as system", async () => {
    const created = await h.api(
      "POST",
      "/v1/rollouts",
      {
        policy: POLICY,
        targets: { projects: ["project-001"] },
        strategy: { waves: ["50%"], maxErrors: 5, pauseBetweenWaves: true },
      },
      asOperator,
    );
    const id = created.body.id;
    await h.waitForStatus(id, ["paused"]);
    // Wave 2 sends slowly, so the operator's pause lands with targets still pending.
    h.sim.state.update({ latencyMs: 300 });
    expect((await h.api("POST", `/v1/rollouts/${id}/resume`, undefined, asOperator)).status).toBe(200);
    expect((await h.api("POST", `/v1/rollouts/${id}/pause`, undefined, asOperator)).status).toBe(200);
    h.sim.state.update({ latencyMs: 0 });
    expect((await h.api("POST", `/v1/rollouts/${id}/resume`, undefined, asOperator)).status).toBe(200);
    await h.waitForStatus(id, ["failed"]);
    expect((await h.api("POST", `/v1/rollouts/${id}/retry`, undefined, asOperator)).status).toBe(200);
    await h.waitForStatus(id, ["failed"]);
    const entries = await waitForEntry(id, { action: "rollout.retry" });
    // The retried rollout fails again: wait for that system entry too.
    const all = await waitFor("the second failure", async () => {
      const list = await entriesOf(id);
      return list.filter((e) => e.status === "failed").length === 2 ? list : undefined;
    });
    expect(entries.length).toBeGreaterThan(0);

    const summary = all.map((e) => [e.actor, e.action, e.status]);
    expect(summary).toEqual([
      ["olga", "rollout.create", "planning"],
      ["system", "rollout.status", "running"],
      ["system", "rollout.status", "paused"],
      ["olga", "rollout.resume", "running"],
      ["olga", "rollout.pause", "paused"],
      ["olga", "rollout.resume", "running"],
      ["system", "rollout.status", "failed"],
      ["olga", "rollout.retry", "running"],
      ["system", "rollout.status", "failed"],
    ]);
    const [first] = all;
    expect(first?.rolloutId).toBe(id);
    expect(Date.parse(first?.at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(all[2]?.detail).toBe("wave 1 of 2 finished; resume to start wave 2");
  });

  it("records cancel by its caller and a success as system", async () => {
    const paused = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-002"] },
      strategy: { waves: ["50%"], pauseBetweenWaves: true },
    });
    await h.waitForStatus(paused.body.id, ["paused"]);
    expect((await h.api("POST", `/v1/rollouts/${paused.body.id}/cancel`)).status).toBe(200);
    const cancelled = await waitForEntry(paused.body.id, { action: "rollout.cancel" });
    expect(cancelled.at(-1)).toMatchObject({
      actor: "alice",
      status: "cancelled",
      detail: "cancel by alice",
    });

    const dryRun = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["project-002"] },
      dryRun: true,
    });
    await h.waitForStatus(dryRun.body.id, ["succeeded"]);
    const succeeded = await waitForEntry(dryRun.body.id, { status: "succeeded" });
    expect(succeeded.at(-1)).toMatchObject({ actor: "system", action: "rollout.status" });
  });

  it("records other calls through runtime.audit (schedules)", async () => {
    const id = await h.runtime.audit.record({
      actor: "alice",
      action: "schedule.put",
      schedule: "nightly",
      detail: "cron 0 3 * * *",
    });
    const { body } = await h.api("GET", `/v1/audit?since=${encodeURIComponent(previous(id))}`);
    expect(body.items[0]).toEqual({
      id,
      at: expect.any(String),
      actor: "alice",
      action: "schedule.put",
      schedule: "nightly",
      detail: "cron 0 3 * * *",
    });
  });

  it("pages oldest first with since=nextCursor, or from an ISO time", async () => {
    // Entries of its own, whatever ran before.
    for (let i = 0; i < 12; i++) await h.runtime.audit.record({ actor: "test", action: "test.page" });
    const all = (await h.api("GET", "/v1/audit?limit=1000")).body;
    expect(all.nextCursor).toBeNull();
    expect(all.items.length).toBeGreaterThan(10);
    const paged: AuditEntry[] = [];
    let since: string | null = null;
    do {
      const query: string = since === null ? "" : `&since=${since}`;
      const page = (await h.api("GET", `/v1/audit?limit=3${query}`)).body;
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      since = page.nextCursor;
    } while (since !== null);
    expect(paged).toEqual(all.items);

    const middle = all.items[5] as AuditEntry;
    const fromTime = (await h.api("GET", `/v1/audit?since=${encodeURIComponent(middle.at)}`)).body;
    // Entries of the same millisecond as `middle` may come first; none from before it.
    expect(fromTime.items.map((e: AuditEntry) => e.id)).toContain(middle.id);
    expect(fromTime.items.every((e: AuditEntry) => e.at >= middle.at)).toBe(true);
  });

  it("is for admins only, and names the bad query field", async () => {
    for (const token of [TOKENS.operator, TOKENS.viewer]) {
      const refused = await h.api("GET", "/v1/audit", undefined, { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe("forbidden");
    }
    expect((await h.api("GET", "/v1/audit", undefined, { token: null })).status).toBe(401);
    for (const [query, field] of [
      ["since=yesterday", "query.since"],
      ["since=2025-13-45T00:00:00Z", "query.since"],
      ["limit=0", "query.limit"],
      ["limit=1001", "query.limit"],
      ["limit=ten", "query.limit"],
    ]) {
      const bad = await h.api("GET", `/v1/audit?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error).toBe("validation_failed");
      expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual([field]);
    }
  });

  it("keeps about ENFORCER_AUDIT_MAXLEN entries, trimming the oldest", async () => {
    // An entry of its own, whatever ran before: the oldest one the trimming must drop.
    await h.runtime.audit.record({ actor: "test", action: "test.first" });
    const first = (await h.api("GET", "/v1/audit?limit=1")).body.items[0] as AuditEntry;
    for (let i = 0; i < 400; i++) await h.runtime.audit.record({ actor: "test", action: "test.fill" });
    const kept = (await h.api("GET", "/v1/audit?limit=1000")).body.items as AuditEntry[];
    // MAXLEN ~ trims whole stream nodes (100 entries each): between 100 and 200 remain.
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThanOrEqual(200);
    expect(kept.map((e) => e.id)).not.toContain(first.id);
    expect(kept.at(-1)?.action).toBe("test.fill");
  });
});

/** The stream id just before `id`, so `since` (exclusive) starts at `id`. */
function previous(id: string): string {
  const [ms, seq] = id.split("-").map(Number) as [number, number];
  return seq > 0 ? `${ms}-${seq - 1}` : `${ms - 1}-99999`;
}
