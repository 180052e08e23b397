import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnService } from "./helpers/process.js";
import { type Harness, harnessEnv, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const promtool = (() => {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** The value of one sample, e.g. value(text, 'enforcer_rollouts_created_total{dry_run="false"}'). */
function value(text: string, sample: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe("metrics", () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness("metrics", {
      projects: 2,
      proxiesPerProject: 10,
      aiEvery: 5,
      permanentFailures: [{ project: "project-001", proxy: "proxy-00003", message: "locked" }],
    });
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      strategy: { maxErrors: 2 },
    });
    id = created.body.id;
    await h.waitForStatus(id, ["failed"]);
  });
  afterAll(() => h?.stop());

  it("has the contract's names, labels and values after a rollout", async () => {
    const res = await h.api("GET", "/metrics", undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = res.body as string;
    expect(value(text, 'enforcer_rollouts_created_total{dry_run="false"}')).toBe(1);
    expect(value(text, 'enforcer_rollouts_finished_total{status="failed"}')).toBe(1);
    expect(value(text, 'enforcer_targets_processed_total{outcome="succeeded"}')).toBe(15);
    expect(value(text, 'enforcer_targets_processed_total{outcome="failed"}')).toBe(1);
    expect(
      value(text, 'enforcer_gateway_requests_total{gateway="default",operation="update_mtls",code="200"}'),
    ).toBe(15);
    expect(
      value(text, 'enforcer_gateway_requests_total{gateway="default",operation="update_mtls",code="400"}'),
    ).toBe(1);
    expect(
      value(text, 'enforcer_gateway_requests_total{gateway="default",operation="list_proxies",code="200"}'),
    ).toBe(2);
    expect(text).toMatch(
      /enforcer_gateway_request_duration_seconds_bucket\{le="0\.05",gateway="default",operation="update_mtls"\} \d+/,
    );
    expect(value(text, `enforcer_rollout_targets{rollout="${id}",status="skipped"}`)).toBe(4);
    expect(value(text, `enforcer_rollout_progress_ratio{rollout="${id}"}`)).toBe(1);
    expect(value(text, 'enforcer_queue_jobs{queue="targets-default",state="waiting"}')).toBe(0);
    expect(value(text, "enforcer_redis_up")).toBe(1);
    expect(text).toMatch(/enforcer_http_requests_total\{method="POST",route="\/v1\/rollouts",code="202"\} 1/);
    expect(text).toMatch(/enforcer_process_resident_memory_bytes \d+/);
    // Never a label per proxy.
    expect(text).not.toMatch(/proxy-000/);
  });

  it.skipIf(!promtool)("passes promtool check metrics", async () => {
    const res = await h.api("GET", "/metrics", undefined, { token: null });
    const out = execFileSync("promtool", ["check", "metrics"], {
      input: res.body as string,
      encoding: "utf8",
    });
    expect(out).toBe("");
  });

  it("worker processes serve their own counters on ENFORCER_METRICS_PORT", async () => {
    const worker = await spawnService(
      "worker",
      { ...harnessEnv(h.sim.url, h.prefix), ENFORCER_METRICS_PORT: "0", LOG_LEVEL: "info" },
      /worker metrics listening/,
    );
    try {
      const url = /"url":"(http:[^"]+)"/.exec(worker.output.join(""))?.[1];
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/# TYPE enforcer_targets_processed_total counter/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/v1/rollouts`)).status).toBe(404);
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  });
});

describe("progress gauges of a running rollout", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "metrics-eta",
      { projects: 1, proxiesPerProject: 400, latencyMs: 20 },
      { ENFORCER_WORKER_CONCURRENCY: "4" },
    );
  });
  afterAll(() => h?.stop());

  it("reports progress and an ETA from the recent completion rate", async () => {
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    const id = created.body.id;
    const scrape = async () => (await h.api("GET", "/metrics", undefined, { token: null })).body as string;
    await h.waitForStatus(id, ["running"]);
    await scrape(); // the first sample of the rate window
    const sample = await waitFor("an ETA", async () => {
      const text = await scrape();
      return value(text, `enforcer_rollout_eta_seconds{rollout="${id}"}`) === undefined ? undefined : text;
    });
    const eta = value(sample, `enforcer_rollout_eta_seconds{rollout="${id}"}`) ?? 0;
    const progress = value(sample, `enforcer_rollout_progress_ratio{rollout="${id}"}`) ?? 0;
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(1);
    // 4 in flight × 20 ms ≈ 200/s at most: the remaining targets need a few seconds, not minutes.
    expect(eta).toBeGreaterThan(0);
    expect(eta).toBeLessThan(60);
    expect(value(sample, 'enforcer_rollouts{status="running"}')).toBe(1);
    await h.api("POST", `/v1/rollouts/${id}/cancel`);
  });
});
