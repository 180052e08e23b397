import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TOKENS } from "./helpers/service.js";

const METRICS_TOKEN = "metrics-secret-1";

/** Paths whose parameter is not valid percent-encoding: express cannot decode them. */
const MALFORMED: Array<[method: string, path: string]> = [
  ["GET", "/v1/rollouts/%E0%A4%A"],
  ["GET", "/v1/rollouts/%"],
  ["GET", "/v1/rollouts/%E0%A4%A/events"],
  ["POST", "/v1/rollouts/%ZZ/cancel"],
  ["GET", "/v1/schedules/%E0%A4%A"],
  ["PUT", "/v1/schedules/%E0%A4%A"],
  ["DELETE", "/v1/schedules/%C0"],
  ["POST", "/v1/schedules/%E0%A4%A/run"],
];

describe("hostile paths and the headers of every answer", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      "hostile-paths",
      { projects: 1, proxiesPerProject: 1 },
      {
        ENFORCER_METRICS_TOKEN: METRICS_TOKEN,
      },
    );
  });
  afterAll(() => h?.stop());

  it.each(MALFORMED)("%s %s is a 400 naming the path, with or without a token", async (method, path) => {
    const logged = h.logs.length;
    for (const token of [TOKENS.admin, null]) {
      const res = await h.api(method, path, undefined, { token });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect(res.body).toEqual({
        error: "validation_failed",
        message: expect.stringMatching(/percent-encoding/),
        details: [{ path: "(path)", message: expect.any(String) }],
      });
    }
    // A caller's mistake, not the service's: no error line, no stack trace.
    const lines = h.logs.slice(logged).join("");
    expect(lines).not.toMatch(/"level":50|URIError|Failed to decode/);
  });

  it("an unknown path, malformed or not, is a 404 in the contract's shape", async () => {
    for (const path of ["/nope/%E0%A4%A", "/v1/%", "/v2/everything"]) {
      const res = await h.api("GET", path, undefined, { token: null });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: "not_found", details: [] });
    }
  });

  it("tells every answer's reader not to sniff its type: errors, ops routes and the queue board", async () => {
    const answers = await Promise.all([
      h.api("GET", "/healthz", undefined, { token: null }),
      h.api("GET", "/metrics", undefined, { token: METRICS_TOKEN }),
      h.api("GET", "/metrics", undefined, { token: null }),
      h.api("GET", "/openapi.json", undefined, { token: null }),
      h.api("GET", "/v1/rollouts"),
      h.api("GET", "/v1/rollouts", undefined, { token: null }),
      h.api("GET", "/v1/rollouts/%E0%A4%A"),
      h.api("GET", "/v2/everything"),
      h.api("DELETE", "/v1/rollouts"),
      h.api("GET", "/admin/queues"),
      h.api("GET", "/admin/queues", undefined, { token: null }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 200, 200, 401, 400, 404, 405, 200, 401]);
    for (const answer of answers) expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
