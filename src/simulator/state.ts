// The simulator's mutable state: fleet, counters and the runtime-adjustable settings behind SimulatorState.
import { CapacityWindow, type SecondLoad, validateCapacity } from "./capacity.js";
import { drawFault, drawLatency, type Fault, validateFaults, validateLatency } from "./faults.js";
import { buildFleet, type Fleet, toRecord } from "./fleet.js";
import { mulberry32, type Random } from "./prng.js";
import type {
  CapacityOptions,
  FaultOptions,
  JournalEntry,
  ProxyRecord,
  SimulatorOptions,
  SimulatorState,
} from "./types.js";

/** Without a seed runs are still reproducible: the same requests are faulted every time. */
const DEFAULT_SEED = 1;

type Adjustable = Pick<SimulatorOptions, "faults" | "token" | "latencyMs" | "capacity">;

export class SimulatorRuntime implements SimulatorState {
  // Assigned by reset(), which the constructor calls.
  fleet!: Fleet;
  faults!: FaultOptions;
  token: string | undefined;
  latencyMs: SimulatorOptions["latencyMs"];
  capacity: CapacityOptions | undefined;
  private readonly load = new CapacityWindow();
  private readonly counts = new Map<string, number>();
  private readonly arrivals: JournalEntry[] = [];
  private inFlight = 0;
  private peak = 0;
  private faultRandom!: Random;
  private latencyRandom!: Random;

  constructor(private readonly options: SimulatorOptions) {
    this.reset();
  }

  /** Back to the state the simulator started in: fleet, counters, PRNG streams and settings. */
  reset(): void {
    this.fleet = buildFleet(this.options);
    this.update({
      faults: this.options.faults ?? {},
      token: this.options.token,
      latencyMs: this.options.latencyMs,
      capacity: this.options.capacity,
    });
    this.counts.clear();
    this.arrivals.length = 0;
    this.load.reset();
    this.peak = this.inFlight;
    const seed = this.options.seed ?? DEFAULT_SEED;
    this.faultRandom = mulberry32(seed);
    // A stream of its own, so changing the latency never shifts which requests are faulted.
    this.latencyRandom = mulberry32(seed ^ 0x5bd1e995);
  }

  proxy(project: string, name: string): ProxyRecord | undefined {
    const entry = this.fleet.projectsByName.get(project)?.proxiesByName.get(name);
    return entry ? toRecord(entry) : undefined;
  }

  proxies(): ProxyRecord[] {
    return this.fleet.projects.flatMap((project) => project.proxies.map(toRecord));
  }

  totalPatches(): number {
    let total = 0;
    for (const project of this.fleet.projects) {
      for (const proxy of project.proxies) {
        for (const count of Object.values(proxy.patchCounts)) total += count;
      }
    }
    return total;
  }

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  peakConcurrency(): number {
    return this.peak;
  }

  /** Only the keys present change; `{token: undefined}` turns auth off. Throws on invalid values. */
  update(options: Adjustable): void {
    if (Object.hasOwn(options, "faults")) {
      const faults = options.faults ?? {};
      validateFaults(faults);
      this.faults = { ...faults };
    }
    if (Object.hasOwn(options, "latencyMs")) {
      validateLatency(options.latencyMs);
      this.latencyMs = options.latencyMs;
    }
    if (Object.hasOwn(options, "token")) this.token = options.token;
    if (Object.hasOwn(options, "capacity")) {
      validateCapacity(options.capacity);
      this.capacity = options.capacity && { ...options.capacity };
    }
  }

  /** Counts the request in its second; undefined when it fits the capacity, else the status to refuse it with. */
  admit(now = Date.now()): { status: 429 | 503; retryAfterSeconds: number } | undefined {
    if (this.load.admit(this.capacity, now)) return undefined;
    return {
      status: this.capacity?.answer ?? 429,
      retryAfterSeconds: this.capacity?.retryAfterSeconds ?? 1,
    };
  }

  loadBySecond(): SecondLoad[] {
    return this.load.bySecond();
  }

  /** Call on arrival; `done` on the response's close, whether answered, reset or abandoned. */
  begin(): () => void {
    this.inFlight++;
    if (this.inFlight > this.peak) this.peak = this.inFlight;
    return () => {
      this.inFlight--;
    };
  }

  /** Counts the request (and, with `journal`, records its arrival). */
  count(key: string, params: Record<string, string> = {}): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.options.journal) this.arrivals.push({ at: Date.now(), request: key, params });
  }

  /** Requests in the order they arrived (empty unless started with `journal`). */
  journal(): readonly JournalEntry[] {
    return this.arrivals;
  }

  /** Every mTLS PATCH that names an existing proxy, before faults or validation decide its fate. */
  notePatchRequest(params: Record<string, string>): void {
    const proxy = this.fleet.projectsByName
      .get(params.projectName ?? "")
      ?.proxiesByName.get(params.apiProxyName ?? "");
    if (proxy) proxy.patchRequests++;
  }

  drawFault(method: string): Fault | undefined {
    return drawFault(this.faults, method, this.faultRandom);
  }

  drawLatency(): number {
    return drawLatency(this.latencyMs, this.latencyRandom);
  }

  retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds ?? 1;
  }

  authorized(header: string | undefined): boolean {
    return this.token === undefined || header === `Bearer ${this.token}`;
  }
}
