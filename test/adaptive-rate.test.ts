// The adaptive rate end to end: a manager that takes N requests a second and answers 429 above it,
// a gateway allowed far more. The allowed rate settles under N and few requests are refused once it
// has; lifted, the limit stops holding the rate down and it climbs back to the ceiling. Judged by
// the simulator's own counts per wall-clock second and by the enforcer_gateway_allowed_rate gauge.
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, POLICY, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const N = 40;
const CEILING = 200;
/** Seconds after the first request before the rate counts as settled, and seconds measured then. */
const SETTLE_S = 5;
const MEASURE_S = 6;

const ENV = {
  ENFORCER_RATE_LIMIT_PER_SECOND: String(CEILING),
  ENFORCER_ADAPTIVE_STEP: "15",
  ENFORCER_WORKER_CONCURRENCY: "8",
};

async function allowedRate(h: Harness): Promise<number> {
  const text = (await h.api("GET", "/metrics", undefined, { token: null })).body as string;
  const line = text
    .split("\n")
    .find((l) => l.startsWith('enforcer_gateway_allowed_rate{gateway="default"} '));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Starts a rollout against a manager limited to N/s, lets it settle, then measures MEASURE_S whole
 * seconds: the simulator's accepted and refused requests, and the allowed rate sampled meanwhile.
 */
async function settle(h: Harness) {
  const created = await h.api("POST", "/v1/rollouts", { policy: POLICY, targets: { projects: ["*"] } });
  expect(created.status).toBe(202);
  const first = await waitFor("the first request", () => h.sim.state.loadBySecond()[0]?.second);
  const from = first + SETTLE_S;
  const samples: number[] = [];
  await waitFor(
    "the measured seconds to pass",
    async () => {
      const now = Date.now() / 1000;
      if (now >= from && now < from + MEASURE_S) samples.push(await allowedRate(h));
      return now >= from + MEASURE_S + 0.1 ? true : undefined;
    },
    (SETTLE_S + MEASURE_S + 10) * 1000,
    200,
  );
  const seconds = h.sim.state.loadBySecond().filter((s) => s.second >= from && s.second < from + MEASURE_S);
  const accepted = sum(seconds.map((s) => s.accepted));
  const rejected = sum(seconds.map((s) => s.rejected));
  return { id: created.body.id as string, seconds, accepted, rejected, samples };
}

/** What a settled run must show, with room for a loaded machine. */
function expectSettled(run: Awaited<ReturnType<typeof settle>>) {
  const share = run.rejected / (run.accepted + run.rejected);
  console.log(
    `settled: ${(run.accepted / MEASURE_S).toFixed(1)} accepted/s, ${(share * 100).toFixed(1)} % refused, allowed rate median ${median(run.samples).toFixed(1)} (min ${Math.min(...run.samples).toFixed(1)}, max ${Math.max(...run.samples).toFixed(1)})`,
  );
  // A second with no request at all is not in the simulator's log (a loaded machine can stall a
  // whole second): it counts as a second that accepted nothing.
  expect(run.seconds.length).toBeGreaterThan(0);
  // The manager is used, not starved: the rate did not collapse towards the floor.
  expect(run.accepted / MEASURE_S).toBeGreaterThan(0.3 * N);
  // Measured 1.5-3.8 % on a 2-core machine at load 9-11; the bound leaves room for more load.
  expect(share).toBeLessThan(0.08);
  // The allowed rate saws between about N/2 and just over N (higher when a loaded machine is late
  // to send what it allows): mostly under N, far from the ceiling.
  expect(run.samples.length).toBeGreaterThan(5);
  expect(median(run.samples)).toBeLessThan(1.25 * N);
  expect(median(run.samples)).toBeGreaterThan(0.3 * N);
  expect(Math.max(...run.samples)).toBeLessThan(2 * N);
}

describe("adaptive rate against a manager limited to 40 requests a second", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("settles under the limit with few refusals, and recovers to the ceiling once it is lifted (per proxy)", async () => {
    h = await startHarness(
      "adaptive-rate",
      { projects: 1, proxiesPerProject: 4000, latencyMs: 5, capacity: { perSecond: N } },
      ENV,
    );
    const run = await settle(h);
    expectSettled(run);

    const lifted = Math.floor(Date.now() / 1000);
    h.sim.state.update({ capacity: undefined });
    const harness = h;
    await waitFor(
      "the allowed rate back at the ceiling",
      async () => ((await allowedRate(harness)) === CEILING ? true : undefined),
      25_000,
      200,
    );
    const after = h.sim.state.loadBySecond().filter((s) => s.second > lifted);
    // The enforced rate followed: some second after the lift took more than twice the old limit.
    expect(Math.max(...after.map((s) => s.accepted))).toBeGreaterThan(2 * N);
    expect(sum(after.map((s) => s.rejected))).toBe(0);
    await h.api("POST", `/v1/rollouts/${run.id}/cancel`);
  }, 60_000);

  it("settles under the limit in batch mode too (the gateway limiter follows the allowed rate)", async () => {
    h = await startHarness(
      "adaptive-rate-batch",
      { projects: 1, proxiesPerProject: 2000, latencyMs: 5, capacity: { perSecond: N } },
      ENV,
      { gateway: { rateLimitPerSecond: CEILING, targetsPerJob: 16 } },
    );
    const run = await settle(h);
    expectSettled(run);
    await h.api("POST", `/v1/rollouts/${run.id}/cancel`);
  }, 60_000);
});
