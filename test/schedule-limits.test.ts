import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AUDIT, sweepBody } from "./helpers/schedules.js";
import { type Harness, startHarness } from "./helpers/service.js";
import { waitFor } from "./helpers/wait.js";

describe("compliance sweeps: cron forms and frequency", () => {
  let h: Harness;
  beforeAll(async () => {
    // Only the API: no firing of these sweeps happens while the test runs.
    h = await startHarness(
      "schedule-limits",
      { projects: 1, proxiesPerProject: 1 },
      { ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS: "300" },
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
      const schema = doc.paths["/v1/schedules/{name}"].put.requestBody.content["application/json"].schema;
      expect(schema.properties.allowFrequent).toMatchObject({ type: "boolean", default: false });
      expect(schema.properties.allowFrequent.description).toMatch(/ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS/);
      expect(schema.properties.cron.description).toMatch(/@hourly/);
    });
  });
});
