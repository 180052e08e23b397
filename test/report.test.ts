import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";
import { csvField } from "../src/reports/csv.js";
import { type Harness, POLICY, startHarness, TOKENS } from "./helpers/service.js";

const FORMULA = "=cmd|' /C calc'!A0";
const COMMA_QUOTE = 'a,"b"';
// 10 × 1,000 generated proxies plus a project whose proxy names are hostile to CSV readers.
// The gateway's message is not ours either. Both hide their formula behind blanks, which
// spreadsheets skip.
const BLANK_FORMULA = " +1-2";
const GATEWAY_MESSAGE = '\n=HYPERLINK("http://x.example"), locked';
const HOSTILE = {
  name: "Hostile",
  proxies: [{ name: FORMULA }, { name: COMMA_QUOTE }, { name: BLANK_FORMULA }],
};

/** RFC 4180 records, for checking that what the service quoted reads back as the original text. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  return records;
}

describe("rollout reports", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("report", {
      projects: 10,
      proxiesPerProject: 1000,
      fleet: [HOSTILE],
      permanentFailures: [{ project: "Hostile", proxy: BLANK_FORMULA, message: GATEWAY_MESSAGE }],
    });
  });
  afterAll(() => h?.stop());

  const dryRun = async (projects: string[]) => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects },
      dryRun: true,
    });
    return h.waitForStatus(created.body.id, ["succeeded", "failed"]);
  };

  it("quotes CSV fields (RFC 4180) and defuses spreadsheet formulas", async () => {
    const rollout = await dryRun(["Hostile"]);
    const res = await h.api("GET", `/v1/rollouts/${rollout.id}/report?format=csv`, undefined, {
      token: TOKENS.viewer,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="rollout-${rollout.id}.csv"`);
    const text = res.body as string;
    // Targets come in target order (sorted by name); dry-run targets have no update time.
    expect(text).toBe(
      [
        "project,proxy,status,wave,attempts,httpStatus,message,reason,updatedAt,deployments",
        "Hostile,' +1-2,planned,1,0,,,,,",
        "Hostile,'=cmd|' /C calc'!A0,planned,1,0,,,,,",
        'Hostile,"a,""b""",planned,1,0,,,,,',
        "",
      ].join("\r\n"),
    );
    expect(parseCsv(text).map((r) => r[1])).toEqual([
      "proxy",
      `'${BLANK_FORMULA}`,
      `'${FORMULA}`,
      COMMA_QUOTE,
    ]);
  });

  it("reports each target's HTTP status and the gateway's message, quoted and defused", async () => {
    const created = await h.api("POST", "/v1/rollouts", {
      policy: POLICY,
      targets: { projects: ["Hostile"] },
      strategy: { maxErrors: 5 },
    });
    const rollout = await h.waitForStatus(created.body.id, ["failed"]);
    const res = await h.api("GET", `/v1/rollouts/${rollout.id}/report?format=csv`);
    const records = parseCsv(res.body as string);
    expect(records[1]?.slice(0, 8)).toEqual([
      "Hostile",
      `'${BLANK_FORMULA}`,
      "failed",
      "1",
      "1",
      "400",
      `'${GATEWAY_MESSAGE}`,
      "",
    ]);
    expect(records[2]?.slice(2, 6)).toEqual(["succeeded", "1", "1", "200"]);
    expect(Date.parse(records[2]?.[8] ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("csvField quotes separators, quotes and line breaks, and defuses = + - @ tab CR", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("-1,2")).toBe(`"'-1,2"`);
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField("\r")).toBe(`"'\r"`);
    expect(csvField("a=1+2")).toBe("a=1+2");
    expect(csvField("'=1")).toBe("'=1");
    expect(csvField(-3)).toBe("-3");
    expect(csvField(null)).toBe("");
  });

  it.each([
    [" =1+1", "' =1+1"],
    ["  @SUM(A1)", "'  @SUM(A1)"],
    ["\t-2+3", "'\t-2+3"],
    ["\t\t+cmd", "'\t\t+cmd"],
    [" \t=A1", "' \t=A1"],
    ["\r=1", `"'\r=1"`],
    ["\n=1", `"'\n=1"`],
    ["\r\n @x", `"'\r\n @x"`],
    ["\u00a0=1", "'\u00a0=1"],
    ["\0=1", "'\0=1"],
    [" - a, b", `"' - a, b"`],
  ])("csvField defuses %j, a formula behind blanks, as %j", (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it("streams a 10k-target report in chunks without building it in memory", async () => {
    const rollout = await dryRun(["*"]);
    expect(rollout.counts.total).toBe(10_003);
    const heapBefore = process.memoryUsage().heapUsed;
    const res = await fetch(`${h.url}/v1/rollouts/${rollout.id}/report?format=csv`, {
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let lines = 0;
    let tail = "";
    let peakHeapGrowth = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      const text = tail + decoder.decode(value, { stream: true });
      const parts = text.split("\r\n");
      tail = parts.pop() ?? "";
      lines += parts.length;
      peakHeapGrowth = Math.max(peakHeapGrowth, process.memoryUsage().heapUsed - heapBefore);
    }
    expect(tail).toBe("");
    expect(lines).toBe(1 + 10_003);
    // One write per 1,000 targets: the body arrives in many pieces, not as one built string.
    expect(chunks).toBeGreaterThan(5);
    expect(peakHeapGrowth).toBeLessThan(30 * 1024 * 1024);
  });

  it("streams JSON: the rollout with its policy, then every target", async () => {
    const rollout = await dryRun(["project-001", "Hostile"]);
    const res = await h.api("GET", `/v1/rollouts/${rollout.id}/report?format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(typeof res.body).toBe("object");
    expect(res.body.rollout).toMatchObject({ id: rollout.id, status: "succeeded", policy: POLICY });
    expect(res.body.targets).toHaveLength(1003);
    const byName = new Map(res.body.targets.map((t: { proxy: string }) => [t.proxy, t]));
    expect(byName.get("proxy-00001")).toEqual({
      project: "project-001",
      proxy: "proxy-00001",
      status: "planned",
      wave: 1,
      attempts: 0,
      httpStatus: null,
      message: null,
      reason: null,
      updatedAt: null,
      deployments: null,
    });
    expect(byName.get(COMMA_QUOTE)).toMatchObject({ project: "Hostile", status: "planned" });
    // JSON is the default format.
    const plain = await h.api("GET", `/v1/rollouts/${rollout.id}/report`);
    expect(plain.body.targets).toHaveLength(1003);
  });

  it("answers 404 for an unknown rollout and 400 naming query.format", async () => {
    for (const id of ["r000000000AAAAAAAA", "nope"]) {
      const missing = await h.api("GET", `/v1/rollouts/${id}/report?format=csv`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe("not_found");
    }
    const rollout = await dryRun(["Hostile"]);
    const bad = await h.api("GET", `/v1/rollouts/${rollout.id}/report?format=xml`);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual(["query.format"]);
    expect((await h.api("GET", `/v1/rollouts/${rollout.id}/report`, undefined, { token: null })).status).toBe(
      401,
    );
  });

  it("enforcer report ID --format csv writes the report to stdout", async () => {
    const rollout = await dryRun(["Hostile"]);
    const cli = async (args: string[]) => {
      let stdout = "";
      let stderr = "";
      const sink = (append: (text: string) => void) =>
        new Writable({
          write(chunk, _encoding, done) {
            append(String(chunk));
            done();
          },
        });
      const code = await run(args, {
        stdout: sink((t) => {
          stdout += t;
        }),
        stderr: sink((t) => {
          stderr += t;
        }),
        env: { ENFORCER_URL: h.url, ENFORCER_TOKEN: TOKENS.viewer },
      });
      return { code, stdout, stderr };
    };
    const csv = await cli(["report", rollout.id, "--format", "csv"]);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe((await h.api("GET", `/v1/rollouts/${rollout.id}/report?format=csv`)).body);
    const json = await cli(["report", rollout.id]);
    expect(JSON.parse(json.stdout).targets).toHaveLength(3);
    const missing = await cli(["report", "r000000000AAAAAAAA"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not found \(HTTP 404\)/);
    expect((await cli(["report", rollout.id, "--format", "xml"])).code).toBe(3);
  });
});
