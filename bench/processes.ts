import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Child {
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/** Starts `tsx <script> ...args` and resolves once its output matches `ready`. */
export async function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${output.join("")}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(String(chunk));
      if (ready.test(output.join(""))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args[0]} exited ${code}: ${output.join("")}`)));
  });
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
    ["src/simulator/main.ts", "--port", "0", ...flags],
    { SIMULATOR_TOKEN: BENCH_TOKEN },
    /listening on (http:\/\/\S+)/,
  );
  const url = /listening on (http:\/\/\S+)/.exec(child.output.join(""))?.[1] ?? "";
  return { url, child };
}

export const BENCH_TOKEN = "bench-gateway-token";
