// The simulator's public surface: what tests, the demo and the benchmarks configure and inspect.
import type { SectionKey, SectionSettings } from "./sections/catalog.js";

export type Flavour = "classic" | "newer";

export interface SeedProxy {
  name: string;
  /** REST, SOAP, GRPC, WEBSOCKET, or an AI type (AI, MCP, A2A) that refuses mTLS and connection settings. */
  type?: string;
  deployedTo?: string[];
  /** Environments of `deployedTo` whose saved settings were never deployed (shown as redeployRequired). */
  redeployRequired?: string[];
  /**
   * Settings the proxy starts with, per section, merged onto the manager's defaults (lets a test seed
   * drift). Stored shape: plain fields, no wrapper. Checked against the section's fields on start.
   */
  settings?: Partial<SectionSettings>;
  /** The same as `settings.mtls` (which wins where both name a field). */
  mtls?: SectionSettings["mtls"];
}

export interface SeedProject {
  name: string;
  proxies: SeedProxy[];
  /** Environments the project can deploy to; defaults to ["test", "production"]. */
  environments?: string[];
}

export interface FaultOptions {
  /** Fraction (0..1) of requests answered 503. */
  rate503?: number;
  /** Fraction answered 429, with `Retry-After: retryAfterSeconds` (header, or `retry_after` body in classic). */
  rate429?: number;
  retryAfterSeconds?: number;
  /** Fraction whose connection is destroyed before an answer. */
  rateReset?: number;
  /** Fraction never answered (the socket stays open until the client gives up). */
  rateHang?: number;
  /** Which requests faults apply to: every request, or only writes (PATCH/POST). Default: all. */
  appliesTo?: "all" | "writes";
}

/** A manager that takes at most `perSecond` requests in any one second and refuses the rest. */
export interface CapacityOptions {
  perSecond: number;
  /** 429 with `Retry-After: retryAfterSeconds` (default), or 503 without it. */
  answer?: 429 | 503;
  /** Default 1. */
  retryAfterSeconds?: number;
}

export interface SimulatorOptions {
  flavour?: Flavour;
  /** Seeds the PRNG so fault injection is reproducible. */
  seed?: number;
  /** Generated fleet: `projects` × `proxiesPerProject`, names `project-001` / `proxy-00001`. */
  projects?: number;
  proxiesPerProject?: number;
  /** Every n-th generated proxy (1-based) is of type AI; 0 = none. */
  aiEvery?: number;
  /** An explicit fleet instead of (or in addition to) the generated one. */
  fleet?: SeedProject[];
  /** Token the manager accepts; requests with another answer 401. */
  token?: string;
  /** Fixed latency in ms, or a [min, max] range. */
  latencyMs?: number | [number, number];
  faults?: FaultOptions;
  /** Requests past this many in a sliding second are refused on arrival (before auth and faults). */
  capacity?: CapacityOptions;
  /** Proxies whose settings PATCH always answers 400 with `message`: every section's, or only `section`'s. */
  permanentFailures?: Array<{ project: string; proxy: string; section?: SectionKey; message?: string }>;
  /** PATCHes of these proxies answer success but change nothing (a manager that loses writes). */
  lostWrites?: Array<{ project: string; proxy: string }>;
  /** Deployment of this proxy to this environment fails (under HTTP 200). */
  deployFailures?: Array<{ project: string; proxy: string; environment: string; message?: string }>;
  /** Keep every request's arrival, in order (`state.journal()`), for tests that check the order of calls. */
  journal?: boolean;
  host?: string;
  port?: number;
}

/** One request as it arrived: its route (e.g. `PATCH mtls`, `POST deploy`) and path parameters. */
export interface JournalEntry {
  at: number;
  request: string;
  params: Record<string, string>;
}

export interface ProxyRecord {
  project: string;
  name: string;
  type: string;
  /** The same as `settings.mtls`. */
  mtls: SectionSettings["mtls"];
  /** Saved mTLS PATCHes (the same as `patchCounts.mtls`). */
  patchCount: number;
  /** Every PATCH of this proxy's mTLS settings received, including rejected and fault-injected ones. */
  patchRequests?: number;
  /** Every section's current settings, as `GET .../full` shows them under `routing`. */
  settings: SectionSettings;
  /** Saved PATCHes per section (lost writes count: the manager answered success). */
  patchCounts: Record<SectionKey, number>;
  /** Environments deployed by a PATCH with `deploy: true` or the deploy endpoint, in order. */
  deploys: string[];
  /** Per environment: deployed, redeployRequired (saved but not deployed), revision, lastDeployTime. */
  deployments: Record<
    string,
    { deployed: boolean; redeployRequired: boolean; revision: number; lastDeployTime?: string }
  >;
}

export interface SimulatorState {
  proxy(project: string, name: string): ProxyRecord | undefined;
  proxies(): ProxyRecord[];
  /** Saved PATCHes of every section of every proxy. */
  totalPatches(): number;
  /** Requests received, by `METHOD route-name` (e.g. "PATCH mtls", "PATCH circuitBreaker"). */
  requestCounts(): Record<string, number>;
  /** Requests in the order they arrived (empty unless started with `journal`). */
  journal(): readonly JournalEntry[];
  peakConcurrency(): number;
  /** Requests let through and refused for capacity, per wall-clock second (the last ten minutes). */
  loadBySecond(): Array<{ second: number; accepted: number; rejected: number }>;
  /** Change faults, token, latency or capacity while running (`{capacity: undefined}` lifts the limit). */
  update(options: Pick<SimulatorOptions, "faults" | "token" | "latencyMs" | "capacity">): void;
  reset(): void;
}

export interface RunningSimulator {
  url: string;
  state: SimulatorState;
  close(): Promise<void>;
}
