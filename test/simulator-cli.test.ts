// `npm run simulator`: flags and environment into options, and the process lifecycle.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSimulatorArgs, UsageError } from "../src/simulator/cli-options.js";
import { spawnNode } from "./helpers/process.js";

describe("simulator options", () => {
  it("reads flags, with environment variables as fallback and flags winning", () => {
    const options = parseSimulatorArgs(
      [
        "--port",
        "9000",
        "--flavour",
        "classic",
        "--latency-ms",
        "10-50",
        "--rate-503",
        "0.02",
        "--seed",
        "42",
      ],
      {
        SIMULATOR_PORT: "1234",
        SIMULATOR_TOKEN: "devtoken",
        SIMULATOR_PROXIES_PER_PROJECT: "100",
        SIMULATOR_AI_EVERY: "10",
      },
    );
    expect(options).toMatchObject({
      port: 9000,
      flavour: "classic",
      latencyMs: [10, 50],
      seed: 42,
      token: "devtoken",
      proxiesPerProject: 100,
      aiEvery: 10,
      faults: { rate503: 0.02 },
    });
    expect(parseSimulatorArgs(["--latency-ms", "20"], {}).latencyMs).toBe(20);
    expect(parseSimulatorArgs([], {}).port).toBe(8090);
  });

  it("reads a fleet file with its failure injections", () => {
    const file = join(mkdtempSync(join(tmpdir(), "simulator-")), "fleet.json");
    const fleet = {
      projects: [
        {
          name: "P",
          environments: ["qa"],
          proxies: [
            { name: "a", type: "SOAP", deployedTo: ["qa"], settings: { cors: { corsActive: true } } },
          ],
        },
      ],
      permanentFailures: [{ project: "P", proxy: "a", section: "connection", message: "locked" }],
    };
    writeFileSync(file, JSON.stringify(fleet));
    const options = parseSimulatorArgs(["--fleet", file], {});
    expect(options.fleet).toEqual(fleet.projects);
    expect(options.permanentFailures).toEqual(fleet.permanentFailures);
    writeFileSync(
      file,
      JSON.stringify({ ...fleet, permanentFailures: [{ project: "P", proxy: "a", section: "ntlm" }] }),
    );
    expect(() => parseSimulatorArgs(["--fleet", file], {})).toThrow(/section/);
  });

  it("refuses unknown flags, non-numbers, bad enums and unreadable fleet files", () => {
    expect(() => parseSimulatorArgs(["--bogus", "1"], {})).toThrow(UsageError);
    expect(() => parseSimulatorArgs(["--rate-503", "lots"], {})).toThrow(/rate-503/);
    expect(() => parseSimulatorArgs(["--flavour", "modern"], {})).toThrow(/flavour/);
    expect(() => parseSimulatorArgs([], { SIMULATOR_FAULTS_ON: "reads" })).toThrow(/faults-on/);
    expect(() => parseSimulatorArgs(["--fleet", "/nonexistent/fleet.json"], {})).toThrow(/fleet file/);
  });
});

describe("simulator process", () => {
  it("prints its URL, serves, and exits 0 on SIGTERM", async () => {
    const child = spawnNode("simulator/main.js", ["--port", "0"], {
      env: { ...process.env, SIMULATOR_PROJECTS: "2", SIMULATOR_PROXIES_PER_PROJECT: "5" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const found = /http:\/\/[^\s]+/.exec(output);
          if (found) resolve(found[0]);
        });
        child.once("exit", () => reject(new Error(`exited before printing its URL: ${output}`)));
      });
      const response = await fetch(`${url}/apiops/projects/`);
      expect(((await response.json()) as { resultCount: number }).resultCount).toBe(2);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
