import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Child {
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const live = new Set<ChildProcess>();
// However the bench ends (a throw, Ctrl-C), no service or simulator it started outlives it.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)
  process.once(signal, () => process.exit(code));

/** `node dist/<script> ...args` (npm run bench builds dist/ first); resolves once its output matches `ready`. */
export async function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
  const [script = "", ...rest] = args;
  const child = spawn(process.execPath, [join(DIST, script), ...rest], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const output: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} did not start: ${output.join("")}`)),
        30_000,
      );
      const onData = (chunk: Buffer) => {
        output.push(String(chunk));
        if (ready.test(output.join(""))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`${script} exited ${code}: ${output.join("")}`)));
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    process: child,
    output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Peak resident set size of a live process (Linux), in bytes. */
export function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

export async function startSimulatorProcess(flags: string[]): Promise<{ url: string; child: Child }> {
  const child = await startChild(
    ["simulator/main.js", "--port", "0", ...flags],
    { SIMULATOR_TOKEN: BENCH_TOKEN },
    /listening on (http:\/\/\S+)/,
  );
  const url = /listening on (http:\/\/\S+)/.exec(child.output.join(""))?.[1] ?? "";
  return { url, child };
}

export const BENCH_TOKEN = "bench-gateway-token";
