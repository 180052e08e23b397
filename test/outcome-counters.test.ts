// Outcome and retry counters come from the outbox, so every outcome (those decided at planning
// included) and every retry (429 re-queues included) is counted exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

describe("outcome and retry counters", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("counters", {
      projects: 1,
      proxiesPerProject: 60,
      aiEvery: 10,
      seed: 7,
      faults: { rate429: 0.3, retryAfterSeconds: 0, appliesTo: "writes" },
    });
  });
  afterAll(() => h?.stop());

  const counter = async (name: string, labels: Record<string, string>) => {
    const metric = await h.runtime.metrics.registry.getSingleMetric(name)?.get();
    const match = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return match?.value ?? 0;
  };

  it("counts skipped, planned and succeeded outcomes, and each 429 re-queue as a retry", async () => {
    const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
    const done = await h.waitForStatus(created.body.id, ["succeeded"], 30_000);
    expect(done.counts).toMatchObject({ succeeded: 54, skipped: 6 });
    const rejected = h.sim.state.proxies().reduce((n, p) => n + (p.patchRequests ?? 0) - p.patchCount, 0);
    expect(rejected).toBeGreaterThan(0);

    const plan = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["*"] },
      dryRun: true,
    });
    await h.waitForStatus(plan.body.id, ["succeeded"]);
    await waitFor("the counters to catch up with the outbox", async () =>
      (await counter("enforcer_targets_processed_total", { outcome: "planned" })) === 54 ? true : undefined,
    );
    expect(await counter("enforcer_targets_processed_total", { outcome: "succeeded" })).toBe(54);
    expect(await counter("enforcer_targets_processed_total", { outcome: "skipped" })).toBe(12);
    expect(await counter("enforcer_gateway_retries_total", { gateway: "default", reason: "429" })).toBe(
      rejected,
    );
  });
});
