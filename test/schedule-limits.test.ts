import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AUDIT, sweepBody } from "./helpers/schedules.js";
import { type Harness, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

const MAX_SCHEDULES = 4;

describe("compliance sweeps: cron forms, frequency, count and paging", () => {
  let h: Harness;
  beforeAll(async () => {
    // Only the API: no firing of these sweeps happens while the test runs.
    h = await startHarness(
      "schedule-limits",
      { projects: 1, proxiesPerProject: 1 },
      { ENFORCER_MAX_SCHEDULES: String(MAX_SCHEDULES), ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS: "300" },
      { mode: "api" },
    );
    // Request connections fail fast instead of queueing: wait until Redis is connected.
    await waitFor("the API to be ready", async () =>
      (await h.api("GET", "/readyz", undefined, { token: null })).status === 200 ? true : undefined,
    );
  });
  afterAll(() => h?.stop());

  const put = (name: string, body: Record<string, unknown>) => h.api("PUT", `/v1/schedules/${name}`, body);
  const names = async () =>
    ((await h.api("GET", "/v1/schedules?limit=1000")).body.items as Array<{ name: string }>).map(
      (s) => s.name,
    );
  const removeAll = async () => {
    for (const name of await names())
      expect((await h.api("DELETE", `/v1/schedules/${name}`)).status).toBe(204);
  };
  // Every test starts with no sweep, whatever ran before it.
  beforeEach(removeAll);

  describe("accepts exactly 5 fields, 6 with seconds first, or a macro", () => {
    it.each([
      ["fewer than 5 fields (cron-parser would make it every minute of the 3rd)", "0 3 * *"],
      ["a single field", "*"],
      ["three fields", "0 3 *"],
      ["seven fields", "0 0 3 * * * 2030"],
      ["an unknown macro", "@fortnightly"],
      ["@midnight, which cron-parser (and so BullMQ) does not know", "@midnight"],
      ["a macro with more after it", "@daily 3"],
      ["a hashed field (a different random slot at every parse)", "H 3 * * *"],
    ])("refuses %s", async (_, cron) => {
      const res = await put("bad-cron", sweepBody({ cron }));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("validation_failed");
      const detail = res.body.details.find((d: { path: string }) => d.path === "cron");
      expect(detail?.message).toMatch(/5 fields .*6 .*seconds.*@hourly/);
      expect(await names()).toEqual([]);
    });

    it.each([
      ["5 fields", "0 3 * * *"],
      ["6 fields, seconds first", "0 0 3 * * *"],
      ["@hourly", "@hourly"],
      ["@daily", "@daily"],
      ["@weekly", "@weekly"],
      ["@monthly", "@monthly"],
      ["@yearly", "@yearly"],
      ["@annually", "@annually"],
      ["extra blanks between fields", "  0  3 * * 1-5 "],
    ])("takes %s", async (_, cron) => {
      const name = `ok-${cron.replace(/[^a-z0-9]/gi, "") || "x"}`;
      const res = await put(name, sweepBody({ cron }));
      expect(res.status).toBe(201);
      expect(Date.parse(res.body.nextRunAt)).toBeGreaterThan(Date.now());
      expect((await h.api("DELETE", `/v1/schedules/${name}`)).status).toBe(204);
    });
  });

  describe("refuses sweeps firing more often than ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS unless allowFrequent", () => {
    it.each<[string, Record<string, unknown>, string]>([
      ["every minute", sweepBody({ cron: "* * * * *" }), "cron"],
      ["every second", sweepBody({ cron: "* * * * * *" }), "cron"],
      ["twice in a minute once an hour", sweepBody({ cron: "0,30 0 * * * *" }), "cron"],
      ["every 4 minutes", sweepBody({ cron: "*/4 * * * *" }), "cron"],
      ["an interval of 2 s", { every: 2000, rollout: AUDIT }, "every"],
      ["an interval of 299 s", { every: 299_000, rollout: AUDIT }, "every"],
    ])("%s", async (_, body, field) => {
      const res = await put("too-often", body);
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        { path: field, message: expect.stringMatching(/300 s.*allowFrequent/) },
      ]);
      expect(await names()).toEqual([]);
      const allowed = await put("too-often", { ...body, allowFrequent: true });
      expect(allowed.status).toBe(201);
      expect(allowed.body.allowFrequent).toBe(true);
      expect((await h.api("DELETE", "/v1/schedules/too-often")).status).toBe(204);
    });

    it("takes sweeps at or above the minimum", async () => {
      expect((await put("five-min", sweepBody({ cron: "*/5 * * * *" }))).status).toBe(201);
      expect((await put("interval", { every: 300_000, rollout: AUDIT })).status).toBe(201);
      expect((await h.api("GET", "/v1/schedules/five-min")).body.allowFrequent).toBe(false);
    });

    it("refuses allowFrequent that is not a boolean", async () => {
      const res = await put("flag", sweepBody({ allowFrequent: "yes" }));
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(["allowFrequent"]);
    });

    it("documents allowFrequent and the cron forms in the OpenAPI document", async () => {
      const doc = (await h.api("GET", "/openapi.json", undefined, { token: null })).body;
      const body = doc.paths["/v1/schedules/{name}"].put.requestBody.content["application/json"].schema;
      expect(body).toEqual({ $ref: "#/components/schemas/ScheduleRequest" });
      const schema = doc.components.schemas.ScheduleRequest;
      expect(schema.properties.allowFrequent).toMatchObject({ type: "boolean", default: false });
      expect(schema.properties.allowFrequent.description).toMatch(/ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS/);
      expect(schema.properties.cron.description).toMatch(/@hourly/);
    });
  });

  describe(`holds at most ENFORCER_MAX_SCHEDULES (${MAX_SCHEDULES}) sweeps`, () => {
    it("refuses one more with a 409 naming the limit, replaces existing ones, and takes one after a delete", async () => {
      for (let i = 1; i <= MAX_SCHEDULES; i++) expect((await put(`s${i}`, sweepBody())).status).toBe(201);
      const over = await put("one-more", sweepBody());
      expect(over.status).toBe(409);
      expect(over.body).toMatchObject({
        error: "conflict",
        message: expect.stringMatching(new RegExp(`${MAX_SCHEDULES}.*ENFORCER_MAX_SCHEDULES`)),
      });
      expect(await names()).not.toContain("one-more");
      expect((await h.api("GET", "/v1/schedules/one-more")).status).toBe(404);

      // Replacing one that exists is always allowed.
      const replaced = await put("s1", sweepBody({ cron: "30 4 * * *" }));
      expect(replaced.status).toBe(200);
      expect(replaced.body.cron).toBe("30 4 * * *");

      expect((await h.api("DELETE", "/v1/schedules/s2")).status).toBe(204);
      expect((await put("one-more", sweepBody())).status).toBe(201);
    });

    it("lets only one of many concurrent creations take the last place", async () => {
      for (let i = 1; i < MAX_SCHEDULES; i++) expect((await put(`c${i}`, sweepBody())).status).toBe(201);
      const racers = await Promise.all(["r1", "r2", "r3", "r4"].map((name) => put(name, sweepBody())));
      expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      expect(await names()).toHaveLength(MAX_SCHEDULES);
    });
  });

  describe("pages GET /v1/schedules", () => {
    it("in name order, limit at a time, with nextCursor until the last page", async () => {
      const created = ["b", "d", "a", "c"];
      for (const name of created) expect((await put(name, sweepBody())).status).toBe(201);
      const first = await h.api("GET", "/v1/schedules?limit=3");
      expect(first.status).toBe(200);
      expect(first.body.items.map((s: { name: string }) => s.name)).toEqual(["a", "b", "c"]);
      expect(first.body.nextCursor).toBe("c");
      const second = await h.api("GET", `/v1/schedules?limit=3&cursor=${first.body.nextCursor}`);
      expect(second.body).toMatchObject({
        items: [expect.objectContaining({ name: "d" })],
        nextCursor: null,
      });
      // The default page holds them all.
      expect((await h.api("GET", "/v1/schedules")).body.nextCursor).toBeNull();
    });

    it.each([
      ["limit=0", "query.limit"],
      ["limit=1001", "query.limit"],
      ["limit=ten", "query.limit"],
      ["limit=1&limit=2", "query.limit"],
      ["cursor=a.b", "query.cursor"],
      ["cursor=", "query.cursor"],
      ["colour=red", "query.colour"],
    ])("refuses %s", async (query, field) => {
      const res = await h.api("GET", `/v1/schedules?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
    });
  });
});
