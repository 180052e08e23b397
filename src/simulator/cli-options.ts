// `npm run simulator` options: flags override SIMULATOR_* environment variables; a fleet file may add projects.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { SECTION_KEYS } from "./sections/catalog.js";
import type { SeedProject, SimulatorOptions } from "./types.js";

/** Bad flags, environment or fleet file: main prints it with the usage and exits 2. */
export class UsageError extends Error {}

export const USAGE = `Usage: npm run simulator -- [options]   (each also as SIMULATOR_<NAME>, e.g. SIMULATOR_RATE_503)
  --port N                 listen port (default 8090; 0 = any free port)
  --host H                 listen address (default 127.0.0.1)
  --flavour F              classic | newer: which documentation generation's envelopes (default newer)
  --projects N             generated projects (default 1, or 0 when --fleet is given)
  --proxies-per-project N  generated proxies per project (default 10)
  --ai-every N             every N-th generated proxy is of type AI (default 0 = none)
  --fleet FILE             JSON {"projects":[{name, proxies:[{name, type?, deployedTo?, settings?}], environments?}],
                           "permanentFailures"?: [{project, proxy, section?, message?}], "deployFailures"?: [...]}
                           settings: {"mtls"|"cors"|"connection"|"circuitBreaker"|"trafficLog"|"forwardedIpHeader": {...}}
  --token T                accepted Bearer token (prefer SIMULATOR_TOKEN: flags show in ps); none = no auth
  --latency-ms MS|MIN-MAX  answer delay, fixed or uniform in a range
  --rate-503 R  --rate-429 R  --rate-reset R  --rate-hang R   fault fractions 0..1
  --retry-after S          Retry-After seconds on injected and over-capacity 429s (default 1)
  --capacity N             take at most N requests in any one second; refuse the rest on arrival
  --capacity-answer 429|503  how requests over capacity are refused (default 429, with Retry-After)
  --faults-on all|writes   which requests faults apply to (default all)
  --seed N                 PRNG seed: the same seed faults the same requests (default 1)`;

const FLAGS = [
  "port",
  "host",
  "flavour",
  "projects",
  "proxies-per-project",
  "ai-every",
  "fleet",
  "token",
  "latency-ms",
  "rate-503",
  "rate-429",
  "rate-reset",
  "rate-hang",
  "retry-after",
  "capacity",
  "capacity-answer",
  "faults-on",
  "seed",
] as const;

type Flag = (typeof FLAGS)[number];

/** Section settings are only objects here: their fields are checked, as any seed's, when the fleet is built. */
const sectionSettings = z.record(z.string(), z.unknown());
const seedProxy = z.object({
  name: z.string().min(1),
  type: z.string().optional(),
  deployedTo: z.array(z.string()).optional(),
  settings: z.partialRecord(z.enum(SECTION_KEYS), sectionSettings).optional(),
  mtls: sectionSettings.optional(),
});
const fleetFile = z.object({
  projects: z.array(
    z.object({
      name: z.string().min(1),
      proxies: z.array(seedProxy),
      environments: z.array(z.string()).optional(),
    }),
  ),
  permanentFailures: z
    .array(
      z.object({
        project: z.string(),
        proxy: z.string(),
        section: z.enum(SECTION_KEYS).optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
  deployFailures: z
    .array(
      z.object({
        project: z.string(),
        proxy: z.string(),
        environment: z.string(),
        message: z.string().optional(),
      }),
    )
    .optional(),
});

function envName(flag: Flag): string {
  return `SIMULATOR_${flag.toUpperCase().replaceAll("-", "_")}`;
}

function toNumber(flag: Flag, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value))
    throw new UsageError(`--${flag} must be a number, got "${text}"`);
  return value;
}

function toLatency(text: string): SimulatorOptions["latencyMs"] {
  const range = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (range) return [Number(range[1]), Number(range[2])];
  return toNumber("latency-ms", text);
}

function readFleetFile(path: string): z.infer<typeof fleetFile> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read fleet file ${path}: ${(error as Error).message}`);
  }
  const parsed = fleetFile.safeParse(json);
  if (!parsed.success) throw new UsageError(`fleet file ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function parseSimulatorArgs(argv: string[], env: NodeJS.ProcessEnv): SimulatorOptions {
  let flags: Partial<Record<Flag, string>>;
  try {
    const options = Object.fromEntries(FLAGS.map((flag) => [flag, { type: "string" as const }]));
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof flags;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const get = (flag: Flag): string | undefined => flags[flag] ?? env[envName(flag)];
  const num = (flag: Flag): number | undefined => {
    const text = get(flag);
    return text === undefined ? undefined : toNumber(flag, text);
  };

  const flavour = get("flavour");
  if (flavour !== undefined && flavour !== "classic" && flavour !== "newer") {
    throw new UsageError(`--flavour must be classic or newer, got "${flavour}"`);
  }
  const appliesTo = get("faults-on");
  if (appliesTo !== undefined && appliesTo !== "all" && appliesTo !== "writes") {
    throw new UsageError(`--faults-on must be all or writes, got "${appliesTo}"`);
  }
  const capacityAnswer = get("capacity-answer");
  if (capacityAnswer !== undefined && capacityAnswer !== "429" && capacityAnswer !== "503") {
    throw new UsageError(`--capacity-answer must be 429 or 503, got "${capacityAnswer}"`);
  }
  const perSecond = num("capacity");
  if (perSecond !== undefined && !(perSecond > 0)) {
    throw new UsageError(`--capacity must be a number of requests per second above 0, got ${perSecond}`);
  }
  const fleetPath = get("fleet");
  const file = fleetPath === undefined ? undefined : readFleetFile(fleetPath);
  const latency = get("latency-ms");

  return {
    port: num("port") ?? 8090,
    host: get("host"),
    flavour,
    projects: num("projects"),
    proxiesPerProject: num("proxies-per-project"),
    aiEvery: num("ai-every"),
    fleet: file?.projects as SeedProject[] | undefined,
    permanentFailures: file?.permanentFailures,
    deployFailures: file?.deployFailures,
    token: get("token"),
    latencyMs: latency === undefined ? undefined : toLatency(latency),
    seed: num("seed"),
    ...(perSecond === undefined
      ? {}
      : {
          capacity: {
            perSecond,
            answer: capacityAnswer === "503" ? 503 : 429,
            retryAfterSeconds: num("retry-after"),
          },
        }),
    faults: {
      rate503: num("rate-503"),
      rate429: num("rate-429"),
      rateReset: num("rate-reset"),
      rateHang: num("rate-hang"),
      retryAfterSeconds: num("retry-after"),
      appliesTo,
    },
  };
}
