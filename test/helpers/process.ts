import { type ChildProcess, spawn } from "node:child_process";
import { waitFor } from "./wait.js";

export interface ServiceProcess {
  child: ChildProcess;
  output: string[];
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | string>;
}

/** `npm start[:api|:worker]` as a real child process (without npm in between, so signals reach it). */
export async function spawnService(
  mode: "all" | "api" | "worker",
  env: Record<string, string>,
  ready: RegExp,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", mode], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  try {
    await waitFor(
      `the ${mode} process to be ready`,
      () => (ready.test(output.join("")) ? true : undefined),
      20_000,
    );
  } catch (error) {
    // The caller never gets hold of a child that did not start: kill it here.
    child.kill("SIGKILL");
    throw error;
  }
  return { child, output, exited };
}
