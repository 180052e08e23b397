import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { Redis } from "ioredis";

const DEMO_REDIS_PORT = 6391;

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function installed(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * A Redis for the demo: REDIS_URL (or the local default) when it answers, else a throwaway
 * `redis-server` that keeps nothing on disk. Undefined, with instructions printed, when neither.
 */
export async function demoRedis(): Promise<{ url: string; stop(): void } | undefined> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  if (await answers(url)) return { url, stop: () => {} };
  if (!installed("redis-server")) {
    console.error(
      `No Redis answers at ${url}, and redis-server is not installed.\n` +
        "Start one of these, then run npm run demo again:\n" +
        "  sudo apt-get install -y redis-server      (Debian/Ubuntu; it starts on 127.0.0.1:6379)\n" +
        "  docker run -d -p 6379:6379 redis:7         (or point REDIS_URL at any Redis 6.2+)",
    );
    return undefined;
  }
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(DEMO_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  // Stopped with the demo, also when the demo fails on the way.
  process.once("exit", () => child.kill("SIGTERM"));
  const local = `redis://127.0.0.1:${DEMO_REDIS_PORT}`;
  for (let i = 0; i < 50 && !(await answers(local)); i++) await new Promise((r) => setTimeout(r, 100));
  console.error(`(started a throwaway redis-server on ${local})`);
  return { url: local, stop: () => child.kill("SIGTERM") };
}
