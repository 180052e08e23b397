// `.env` (or ENFORCER_ENV_FILE) is read once at start-up; the environment wins over the file.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnvFile } from "../src/config/env-file.js";
import { ConfigError } from "../src/config/secrets.js";
import { type ServiceProcess, spawnService } from "./helpers/process.js";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./helpers/redis.js";

const dirWith = (text: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "enforcer-env-"));
  writeFileSync(join(dir, ".env"), text);
  return dir;
};

describe("loadEnvFile", () => {
  const FILE = '# comment\nA=from-file\nB="quoted value"\nC=from-file\nexport D=exported\nE=\n';

  it("reads .env in the working directory and never overrides a variable already set", () => {
    const env: NodeJS.ProcessEnv = { A: "from-env", C: "" };
    const dir = dirWith(FILE);
    expect(loadEnvFile(env, dir)).toEqual({ file: join(dir, ".env"), applied: 3 });
    // C was set, if empty: it stays empty; E is set to the empty value of the file.
    expect(env).toEqual({ A: "from-env", B: "quoted value", C: "", D: "exported", E: "" });
  });

  it("does nothing without a .env, or with ENFORCER_ENV_FILE empty", () => {
    const empty = mkdtempSync(join(tmpdir(), "enforcer-env-"));
    expect(loadEnvFile({}, empty)).toBeUndefined();
    const env: NodeJS.ProcessEnv = { ENFORCER_ENV_FILE: "" };
    expect(loadEnvFile(env, dirWith("A=1\n"))).toBeUndefined();
    expect(env).toEqual({ ENFORCER_ENV_FILE: "" });
  });

  it("reads the file ENFORCER_ENV_FILE names instead, and refuses one that cannot be read", () => {
    const file = join(dirWith("A=cwd\n"), "other.env");
    writeFileSync(file, "A=named\n");
    const env: NodeJS.ProcessEnv = { ENFORCER_ENV_FILE: file };
    expect(loadEnvFile(env, "/nonexistent")).toEqual({ file, applied: 1 });
    expect(env.A).toBe("named");
    const missing = { ENFORCER_ENV_FILE: "/nonexistent/enforcer.env" };
    expect(() => loadEnvFile(missing)).toThrow(ConfigError);
    expect(() => loadEnvFile(missing)).toThrow(
      /ENFORCER_ENV_FILE: cannot read \/nonexistent\/enforcer.env: ENOENT/,
    );
  });
});

describe("the service process", () => {
  const prefix = uniquePrefix("envfile");
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    service?.child.kill("SIGKILL");
    await dropPrefix(prefix);
  });

  it("configures itself from .env in its working directory, with the environment winning", async () => {
    const dir = dirWith(
      [
        `REDIS_URL=${REDIS_URL}`,
        `ENFORCER_QUEUE_PREFIX=${prefix}`,
        "HOST=127.0.0.1",
        "PORT=0",
        "ENFORCER_API_TOKENS=admin:file:file-secret-123",
      ].join("\n"),
    );
    const env = { ENFORCER_API_TOKENS: "admin:env:env-secret-456", LOG_LEVEL: "info" };
    service = await spawnService("api", env, /API listening/, {
      cwd: dir,
      envFile: "read",
    });
    const output = service.output.join("");
    // HOST, PORT and the prefix come from the file (REDIS_URL too, unless this run's environment sets it).
    expect(output).toContain(`"file":"${join(dir, ".env")}","applied":`);
    const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
    const status = async (token: string) =>
      (await fetch(`${url}/v1/rollouts`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await status("env-secret-456")).toBe(200);
    expect(await status("file-secret-123")).toBe(401);
  });

  it("stops with a configuration error when ENFORCER_ENV_FILE names a missing file", async () => {
    await expect(
      spawnService("api", { ENFORCER_ENV_FILE: "/nonexistent/enforcer.env" }, /API listening/),
    ).rejects.toThrow(/exited 2 before it was ready[\s\S]*ENFORCER_ENV_FILE: cannot read/);
  });
});
