import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "./wait.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The compiled service (test/global-setup.ts builds it once per run). */
export const DIST = join(ROOT, "dist");

/**
 * Compiled start-up to ready takes 1-2 s on an idle machine and up to ~9 s measured on 2 cores at a
 * load average of 11 (tsx took 10-17 s there); the bound is about twice that worst case, so it
 * only decides how late a process that never gets ready is reported.
 */
export const READY_TIMEOUT_MS = 20_000;

const live = new Set<ChildProcess>();

/** Remembers `child` until it exits, so that `killLeftovers` can end it whatever the test did. */
export function track<T extends ChildProcess>(child: T): T {
  if (child.exitCode === null && child.signalCode === null) {
    live.add(child);
    child.once("exit", () => live.delete(child));
  }
  return child;
}

/**
 * SIGKILLs every tracked child still running (test/setup.ts calls it after each test file), and
 * answers how many nobody had signalled: those a test forgot, not those still on their way out.
 */
export function killLeftovers(): number {
  const forgotten = [...live].filter((child) => !child.killed).length;
  for (const child of live) child.kill("SIGKILL");
  live.clear();
  return forgotten;
}

/** `node dist/<script> ...args`, tracked. */
export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return track(spawn(process.execPath, [join(DIST, script), ...args], { cwd: ROOT, ...options }));
}

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
  options: { cwd?: string; envFile?: "read" | "ignore" } = {},
): Promise<ServiceProcess> {
  // A developer's .env in the repository must not change what the tests configure.
  const { ENFORCER_ENV_FILE: _, ...inherited } = process.env;
  const envFile = options.envFile === "read" ? {} : { ENFORCER_ENV_FILE: "" };
  const child = spawnNode("main.js", [mode], {
    cwd: options.cwd ?? ROOT,
    env: { ...inherited, ...envFile, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  let code: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (exitCode, signal) => {
      code = exitCode ?? signal ?? "unknown";
      resolve(code);
    }),
  );
  try {
    const state = await waitFor(
      `the ${mode} process to be ready`,
      () => (ready.test(output.join("")) ? "ready" : code !== undefined ? "exited" : undefined),
      READY_TIMEOUT_MS,
    );
    if (state === "exited") throw new Error(`exited ${code} before it was ready`);
  } catch (error) {
    // The caller never gets hold of a child that did not start: kill it here.
    child.kill("SIGKILL");
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${mode} process: ${why}\n--- its output ---\n${output.join("").slice(-4000)}`);
  }
  return { child, output, exited };
}
