// The simulated manager's projects and proxies: built from the options, and rebuilt on reset().
import type { Settings } from "./sections/body.js";
import { isSectionKey, type SectionKey, type SectionSettings } from "./sections/catalog.js";
import { initialSettings, noPatches } from "./sections/seeds.js";
import type { ProxyRecord, SeedProject, SeedProxy, SimulatorOptions } from "./types.js";

export const DEFAULT_ENVIRONMENTS = ["test", "production"];

/** Proxy types whose mTLS/connection/NTLM settings endpoints answer 400 on newer managers. */
const AI_TYPES = new Set(["AI", "MCP", "A2A"]);

/** The key of a permanent failure that names no section: it refuses them all. */
const EVERY_SECTION = "*";

export function isAiType(type: string): boolean {
  return AI_TYPES.has(type);
}

export interface Deployment {
  deployed: boolean;
  /** A saved change is not live until redeployed; the manager shows this until then. */
  redeployRequired: boolean;
  /** Deployments so far (a seeded deployment is revision 1). */
  revision: number;
  lastDeployTime?: string;
}

/** When the fleet's seeded deployments happened. */
const SEEDED_DEPLOY_TIME = "2024-01-01T00:00:00.000Z";

function seededDeployment(env: string, seed: SeedProxy): Deployment {
  if (!(seed.deployedTo ?? []).includes(env))
    return { deployed: false, redeployRequired: false, revision: 0 };
  const redeployRequired = (seed.redeployRequired ?? []).includes(env);
  return { deployed: true, redeployRequired, revision: 1, lastDeployTime: SEEDED_DEPLOY_TIME };
}

export interface ProxyEntry {
  readonly project: string;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly relativePath: string;
  /** Per section: the settings a PATCH merges into and `/full` shows. */
  readonly settings: Record<SectionKey, Settings>;
  /** Saved PATCHes per section. */
  readonly patchCounts: Record<SectionKey, number>;
  /** mTLS PATCHes received, whatever became of them. */
  patchRequests: number;
  deploys: string[];
  /** One per environment of the project. */
  readonly deployments: Map<string, Deployment>;
  /** Section (or EVERY_SECTION) → message of a PATCH that always answers 400. */
  readonly permanentFailures: ReadonlyMap<SectionKey | typeof EVERY_SECTION, string>;
  /** Answers a PATCH with success without applying it (what read-back verification must catch). */
  readonly losesWrites: boolean;
  /** Environment name → message of a deployment that always fails. */
  readonly deployFailures: Map<string, string>;
}

export interface ProjectEntry {
  readonly name: string;
  readonly description: string;
  readonly environments: readonly string[];
  /** Ordered by name, as the manager lists them. */
  readonly proxies: readonly ProxyEntry[];
  readonly proxiesByName: ReadonlyMap<string, ProxyEntry>;
}

export interface Fleet {
  /** Ordered by name. */
  readonly projects: readonly ProjectEntry[];
  readonly projectsByName: ReadonlyMap<string, ProjectEntry>;
}

/** The message a PATCH of this section of this proxy is always refused with, if any. */
export function permanentFailureOf(proxy: ProxyEntry, section: SectionKey): string | undefined {
  return proxy.permanentFailures.get(section) ?? proxy.permanentFailures.get(EVERY_SECTION);
}

/** Code-unit order: deterministic whatever the locale, like the manager's database sort. */
export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `projects` × `proxiesPerProject`, numbered across the fleet so every proxy name is unique. */
export function generatedProjects(options: SimulatorOptions): SeedProject[] {
  const projects = options.projects ?? (options.fleet ? 0 : 1);
  const perProject = options.proxiesPerProject ?? 10;
  const aiEvery = options.aiEvery ?? 0;
  for (const [name, value] of Object.entries({ projects, proxiesPerProject: perProject, aiEvery })) {
    if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${name} must be a whole number >= 0`);
  }
  const seeds: SeedProject[] = [];
  let index = 0;
  for (let p = 1; p <= projects; p++) {
    const proxies = [];
    for (let i = 0; i < perProject; i++) {
      index++;
      const type = aiEvery > 0 && index % aiEvery === 0 ? "AI" : "REST";
      proxies.push({ name: `proxy-${pad(index, 5)}`, type });
    }
    seeds.push({ name: `project-${pad(p, 3)}`, proxies });
  }
  return seeds;
}

function relativePathOf(name: string): string {
  return `/${name.toLowerCase().replace(/[\s/]+/g, "-")}`;
}

/** Failure injections, looked up by proxy while the fleet is built. */
interface Injections {
  permanent: Map<string, Map<SectionKey | typeof EVERY_SECTION, string>>;
  deploy: Map<string, Map<string, string>>;
  lostWrites: Set<string>;
}

function proxyKey(project: string, proxy: string): string {
  return `${project}\u0000${proxy}`;
}

function injectionsOf(options: SimulatorOptions): Injections {
  const permanent: Injections["permanent"] = new Map();
  for (const failure of options.permanentFailures ?? []) {
    const section = failure.section ?? EVERY_SECTION;
    if (section !== EVERY_SECTION && !isSectionKey(section)) {
      throw new Error(
        `permanent failure of ${failure.project}/${failure.proxy} names unknown section ${section}`,
      );
    }
    const key = proxyKey(failure.project, failure.proxy);
    const bySection = permanent.get(key) ?? new Map();
    bySection.set(section, failure.message ?? "This API proxy cannot be updated");
    permanent.set(key, bySection);
  }
  const deploy = new Map<string, Map<string, string>>();
  for (const failure of options.deployFailures ?? []) {
    const key = proxyKey(failure.project, failure.proxy);
    const byEnvironment = deploy.get(key) ?? new Map<string, string>();
    byEnvironment.set(failure.environment, failure.message ?? `Deployment to ${failure.environment} failed`);
    deploy.set(key, byEnvironment);
  }
  const lostWrites = new Set((options.lostWrites ?? []).map((w) => proxyKey(w.project, w.proxy)));
  return { permanent, deploy, lostWrites };
}

function buildProject(seed: SeedProject, injections: Injections): ProjectEntry {
  const environments = seed.environments ?? DEFAULT_ENVIRONMENTS;
  const proxiesByName = new Map<string, ProxyEntry>();
  for (const proxy of seed.proxies) {
    if (!proxy.name) throw new Error(`project ${seed.name}: a proxy has no name`);
    if (proxiesByName.has(proxy.name)) throw new Error(`project ${seed.name}: duplicate proxy ${proxy.name}`);
    const deployedTo = proxy.deployedTo ?? [];
    const unknown = deployedTo.filter((env) => !environments.includes(env));
    if (unknown.length > 0) {
      throw new Error(
        `${seed.name}/${proxy.name}: deployedTo names unknown environments ${unknown.join(", ")}`,
      );
    }
    if ((proxy.redeployRequired ?? []).some((env) => !deployedTo.includes(env))) {
      throw new Error(`${seed.name}/${proxy.name}: redeployRequired names environments not in deployedTo`);
    }
    const type = proxy.type ?? "REST";
    const key = proxyKey(seed.name, proxy.name);
    proxiesByName.set(proxy.name, {
      project: seed.name,
      name: proxy.name,
      type,
      description: `${type} API proxy ${proxy.name}`,
      relativePath: relativePathOf(proxy.name),
      settings: initialSettings(proxy, `${seed.name}/${proxy.name}`),
      patchCounts: noPatches(),
      patchRequests: 0,
      deploys: [],
      deployments: new Map(environments.map((env) => [env, seededDeployment(env, proxy)])),
      permanentFailures: injections.permanent.get(key) ?? new Map(),
      losesWrites: injections.lostWrites.has(key),
      deployFailures: injections.deploy.get(key) ?? new Map(),
    });
  }
  return {
    name: seed.name,
    description: `Project ${seed.name}`,
    environments,
    proxies: [...proxiesByName.values()].sort(byName),
    proxiesByName,
  };
}

/** Throws on duplicate names and on failure lists that name no proxy: both are mistakes in a test. */
export function buildFleet(options: SimulatorOptions): Fleet {
  const injections = injectionsOf(options);
  const projectsByName = new Map<string, ProjectEntry>();
  for (const seed of [...generatedProjects(options), ...(options.fleet ?? [])]) {
    if (!seed.name) throw new Error("a project has no name");
    if (projectsByName.has(seed.name)) throw new Error(`duplicate project ${seed.name}`);
    projectsByName.set(seed.name, buildProject(seed, injections));
  }
  const named = [
    ...(options.permanentFailures ?? []),
    ...(options.deployFailures ?? []),
    ...(options.lostWrites ?? []),
  ];
  for (const { project, proxy } of named) {
    if (!projectsByName.get(project)?.proxiesByName.has(proxy)) {
      throw new Error(`failure injection names ${project}/${proxy}, which is not in the fleet`);
    }
  }
  return { projects: [...projectsByName.values()].sort(byName), projectsByName };
}

/** A copy, so a test holding a record sees the state of the moment it asked. */
export function toRecord(entry: ProxyEntry): ProxyRecord {
  const settings = structuredClone(entry.settings) as SectionSettings;
  return {
    project: entry.project,
    name: entry.name,
    type: entry.type,
    mtls: settings.mtls,
    patchCount: entry.patchCounts.mtls,
    patchRequests: entry.patchRequests,
    settings,
    patchCounts: { ...entry.patchCounts },
    deploys: [...entry.deploys],
    deployments: Object.fromEntries([...entry.deployments].map(([env, state]) => [env, { ...state }])),
  };
}
