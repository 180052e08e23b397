import { Writable } from "node:stream";
import pino from "pino";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authFailureGuard } from "../src/http/auth-failures.js";
import { HttpRefusal } from "../src/http/http-refusal.js";
import { SourceBuckets } from "../src/http/source-buckets.js";
import { ServiceError } from "../src/service/service-error.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const METRICS_TOKEN = "metrics-secret-1";
const REALM = 'Bearer realm="apinizer-policy-enforcer"';
const STREAMS = 2;

describe("authentication hardening", () => {
  let h: Harness;
  const agents: Agent[] = [];
  beforeAll(async () => {
    h = await startHarness(
      "auth-hardening",
      { projects: 1, proxiesPerProject: 3 },
      {
        ENFORCER_METRICS_TOKEN: METRICS_TOKEN,
        ENFORCER_MAX_STREAMS_PER_CALLER: String(STREAMS),
      },
    );
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await h?.stop();
  });

  /** A request from its own loopback address (127.0.0.x), so each test has a source of its own. */
  const from = (address: string) => {
    const agent = new Agent({ localAddress: address });
    agents.push(agent);
    return async (path: string, authorization?: string) => {
      const res = await fetch(`${h.url}${path}`, {
        dispatcher: agent,
        headers: authorization === undefined ? {} : { authorization },
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as any };
    };
  };

  it("challenges every 401 with WWW-Authenticate, naming an invalid token as such", async () => {
    const call = from("127.0.0.2");
    for (const path of ["/v1/rollouts", "/admin/queues", "/metrics"]) {
      const missing = await call(path);
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe(REALM);
      const wrong = await call(path, "Bearer not-a-token");
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("www-authenticate")).toBe(`${REALM}, error="invalid_token"`);
      expect(wrong.body).toMatchObject({ error: "unauthorized", details: [] });
    }
  });

  it("takes the Bearer scheme in any case, for the API and the metrics token alike", async () => {
    const call = from("127.0.0.3");
    expect((await call("/v1/rollouts", `bearer ${TOKENS.viewer}`)).status).toBe(200);
    expect((await call("/v1/rollouts", `BEARER ${TOKENS.viewer}`)).status).toBe(200);
    const metrics = await fetch(`${h.url}/metrics`, {
      dispatcher: agents.at(-1),
      headers: { authorization: `bearer ${METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("http_requests_total");
    // The metrics token is no caller's token, and a caller's token is not the metrics token.
    expect((await call("/metrics", `Bearer ${TOKENS.admin}`)).status).toBe(401);
    expect((await call("/v1/rollouts", `Bearer ${METRICS_TOKEN}`)).status).toBe(401);
  });

  it("slows failed attempts per address to a burst of 10, then 429 with Retry-After; valid tokens pass", async () => {
    const attacker = from("127.0.0.4");
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await attacker("/v1/rollouts", `Bearer guess-${i}`)).status);
    // At most one more token refills while the loop runs (1 a second).
    const passed = statuses.filter((s) => s === 401).length;
    expect(passed).toBeGreaterThanOrEqual(10);
    expect(passed).toBeLessThanOrEqual(11);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const throttled = await attacker("/v1/rollouts", "Bearer one-more-guess");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(throttled.body).toMatchObject({
      error: "too_many_requests",
      message: expect.stringMatching(/retry/),
    });
    // No token at all is a failure too.
    expect((await attacker("/v1/schedules")).status).toBe(429);

    // A valid token from the same address is never slowed; another address is not either.
    expect((await attacker("/v1/rollouts", `Bearer ${TOKENS.viewer}`)).status).toBe(200);
    expect((await from("127.0.0.5")("/v1/rollouts", "Bearer wrong")).status).toBe(401);
    // The bucket refills: a second later a failure is a plain 401 again.
    await waitFor("the address's bucket to refill", async () =>
      (await attacker("/v1/rollouts", "Bearer later-guess")).status === 401 ? true : undefined,
    );
  });

  it("logs failures at warn in a summary line without tokens or addresses, never as errors", async () => {
    const call = from("127.0.0.6");
    for (let i = 0; i < 5; i++) await call("/v1/rollouts", `Bearer secret-guess-${i}`);
    const lines = h.logs.map((line) => JSON.parse(line));
    const summaries = lines.filter((line) => line.msg === "failed authentications");
    // Every failure of this file came within a minute: one line for all of them.
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      level: 40,
      failures: expect.any(Number),
      sources: expect.any(Number),
    });
    const text = h.logs.join("");
    expect(text).not.toMatch(/secret-guess|guess-\d|not-a-token|127\.0\.0\.6/);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  describe("caps each caller's open event streams", () => {
    let rolloutId = "";
    beforeAll(async () => {
      // Paused after its first wave: a rollout whose stream stays open until it is cancelled.
      const created = await h.api("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["*"] },
        strategy: { waves: [1, "100%"], pauseBetweenWaves: true },
      });
      rolloutId = created.body.id;
      await h.waitForStatus(rolloutId, ["paused"]);
    });
    afterAll(async () => {
      await h.api("POST", `/v1/rollouts/${rolloutId}/cancel`);
    });

    const open = async (token: string) => {
      const controller = new AbortController();
      const res = await fetch(`${h.url}/v1/rollouts/${rolloutId}/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      return { res, close: () => controller.abort() };
    };

    it("answers 429 beyond the cap, other callers unaffected, and takes new ones once streams close", async () => {
      const streams = await Promise.all(Array.from({ length: STREAMS }, () => open(TOKENS.viewer)));
      expect(streams.map((s) => s.res.status)).toEqual(Array(STREAMS).fill(200));
      const refused = await open(TOKENS.viewer);
      expect(refused.res.status).toBe(429);
      expect(await refused.res.json()).toMatchObject({
        error: "too_many_requests",
        message: expect.stringContaining("ENFORCER_MAX_STREAMS_PER_CALLER"),
      });
      const other = await open(TOKENS.operator);
      expect(other.res.status).toBe(200);
      other.close();

      // A client going away gives its slot back.
      for (const stream of streams) stream.close();
      const again = await waitFor("a closed stream's slot to come back", async () => {
        const attempt = await open(TOKENS.viewer);
        if (attempt.res.status === 200) return attempt;
        await attempt.res.body?.cancel();
        return undefined;
      });
      const second = await open(TOKENS.viewer);
      expect(second.res.status).toBe(200);
      again.close();
      second.close();
    });

    it("gives the slot back when the stream ends by itself", async () => {
      const created = await h.api("POST", "/v1/rollouts", {
        policy: POLICY,
        targets: { projects: ["*"] },
        dryRun: true,
      });
      await h.waitForStatus(created.body.id, ["succeeded"]);
      // A finished rollout's stream is one event long: many in a row, never more than the cap at once.
      for (let i = 0; i < STREAMS * 3; i++) {
        const res = await fetch(`${h.url}/v1/rollouts/${created.body.id}/events`, {
          headers: { authorization: `Bearer ${TOKENS.admin}` },
        });
        expect(res.status).toBe(200);
        expect(await res.text()).toContain("event: end");
      }
    });
  });
});

describe("the failure buckets and the failure log on their own", () => {
  it("refill at their rate, and never hold more sources than allowed", () => {
    let now = 0;
    const buckets = new SourceBuckets({ burst: 2, perSecond: 1, maxSources: 3 }, () => now);
    expect([buckets.take("a"), buckets.take("a"), buckets.take("a")]).toEqual([0, 0, 1]);
    now += 500;
    expect(buckets.take("a")).toBe(1);
    now += 500;
    expect(buckets.take("a")).toBe(0);
    for (const source of ["b", "c", "d", "e"]) buckets.take(source);
    expect(buckets.size).toBe(3);
    // "a" was the least recently used: it was dropped and starts afresh.
    expect([buckets.take("a"), buckets.take("a")]).toEqual([0, 0]);
  });

  it("summarise a flood in one line per period: first at once, the rest when the period ends", async () => {
    const lines: any[] = [];
    const log = pino(
      { level: "warn" },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const guard = authFailureGuard(log, { burst: 5, perSecond: 1, maxSources: 100, logEveryMs: 200 });
    const answers: unknown[] = [];
    for (let i = 0; i < 30; i++) {
      const req = { socket: { remoteAddress: `10.0.0.${i % 3}` } };
      guard(new ServiceError("unauthorized", "no"), req as never, {} as never, (e: unknown) =>
        answers.push(e),
      );
    }
    expect(answers.filter((e) => e instanceof HttpRefusal && e.kind === "too_many_requests")).toHaveLength(
      15,
    );
    expect(lines).toEqual([expect.objectContaining({ level: 40, failures: 1, sources: 1, throttled: 0 })]);
    await waitFor("the period's summary", () => (lines.length === 2 ? true : undefined));
    expect(lines[1]).toMatchObject({ failures: 29, sources: 3, throttled: 15, periodSeconds: 0.2 });
    expect(JSON.stringify(lines)).not.toContain("10.0.0");
    // Other errors pass through untouched and are not counted.
    const other = new ServiceError("forbidden", "no");
    guard(other, {} as never, {} as never, (e: unknown) => answers.push(e));
    expect(answers.at(-1)).toBe(other);
  });
});
