import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

/** Commands Redis executed (Lua-internal ones included) and the CPU it used, so far. */
export async function redisCounters(redis: Redis): Promise<{ calls: number; cpuSeconds: number }> {
  const stats = await redis.info("commandstats");
  let calls = 0;
  for (const match of stats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
  const cpu = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(cpu)?.[1] ?? 0);
  return { calls, cpuSeconds: field("used_cpu_sys") + field("used_cpu_user") };
}

/** CPU seconds (user + system) a live process has used (Linux /proc; clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
