// `enforcer plan` against a gateway with read-back: a field-level diff, and exit codes a CI gate can trust.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";
import { type Harness, startHarness, TOKENS } from "./helpers/service.js";
import { tlsFleet } from "./helpers/tls-fleet.js";

const TLS12_STRICT = {
  mtls: { supportedProtocolList: { min: "TLS_1_2" }, hostnameVerifierType: "STRICT" },
};

describe("enforcer plan with read-back", () => {
  let h: Harness;
  let dir: string;

  async function plan(body: unknown) {
    const file = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(body));
    let stdout = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        stdout += String(chunk);
        done();
      },
    });
    const code = await run(["plan", "-f", file], {
      stdout: sink,
      stderr: sink,
      env: { ENFORCER_URL: h.url, ENFORCER_TOKEN: TOKENS.operator },
    });
    return { code, stdout };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "enforcer-plan-"));
    h = await startHarness(
      "cli-plan",
      {
        fleet: tlsFleet("NOOP"),
      },
      {},
      { gateway: { readBack: "full" } },
    );
  });
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints each differing field like a diff and exits 2; a compliant fleet exits 0", async () => {
    const res = await plan({ policy: TLS12_STRICT, targets: { projects: ["Payments"] } });
    expect(res.code, res.stdout).toBe(2);
    expect(res.stdout).toMatch(/Plan: 1 proxy would change/);
    expect(res.stdout).toContain("~ Payments/tls10");
    expect(res.stdout).toContain('- mtls.supportedProtocolList: ["TLS_1_2","TLS_1_0"]');
    expect(res.stdout).toContain("+ mtls.supportedProtocolList: TLS_1_2 or better");
    expect(res.stdout).toContain('- mtls.hostnameVerifierType: "NOOP"');
    expect(res.stdout).toContain('+ mtls.hostnameVerifierType: "STRICT"');
    expect(res.stdout).toMatch(/Skipped \(1\):\n {2}Payments\/tls13-only {2}compliant/);
    expect(h.sim.state.totalPatches()).toBe(0);

    const compliant = await plan({
      policy: TLS12_STRICT,
      targets: { projects: ["Payments"], proxies: ["tls13-only"] },
    });
    expect(compliant.code, compliant.stdout).toBe(0);
    expect(compliant.stdout).toContain("No changes");
  });

  it("prints the policy's lint warnings", async () => {
    const res = await plan({
      policy: { mtls: { hostnameVerifierType: "BROWSER_COMPAT" } },
      targets: { projects: ["Payments"] },
    });
    expect(res.stdout).toContain(
      "warning: policy.mtls.hostnameVerifierType: BROWSER_COMPAT does not check the host name: use STRICT (weak_hostname_verification)",
    );
  });
});
