import type { Readable } from "node:stream";
import { request } from "undici";
import type {
  AuditPage,
  GatewayList,
  Page,
  PolicyDetail,
  PolicyDiff,
  PolicyPut,
  PolicySummary,
  PolicyVersion,
  Rollout,
  Schedule,
  ScheduleSummary,
  Target,
} from "../contracts/index.js";
import type { ControlAction } from "../engine/lifecycle.js";
import { apiError, transportError } from "./api-errors.js";
import { CliError, EXIT } from "./exit-codes.js";

const CALL_TIMEOUT_MS = 30_000;
/** The event stream sends heartbeats far more often; this much silence means a dead connection. */
const STREAM_IDLE_MS = 45_000;

interface ApiClientOptions {
  url: string;
  token?: string | undefined;
}

type Query = Record<string, string | number | undefined>;

/** `http(s)://host[:port][/prefix]` without a trailing slash, so paths can be appended. */
function baseUrlOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(EXIT.badInput, `--url ${url} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CliError(EXIT.badInput, `--url ${url} must be http:// or https://`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

const rolloutPath = (id: string) => `/v1/rollouts/${encodeURIComponent(id)}`;
const policyPath = (name: string) => `/v1/policies/${encodeURIComponent(name)}`;
const schedulePath = (name: string) => `/v1/schedules/${encodeURIComponent(name)}`;

/** The service's HTTP API, typed; every failure surfaces as a CliError with its exit code. */
export function apiClient(options: ApiClientOptions) {
  const baseUrl = baseUrlOf(options.url);
  const hadToken = options.token !== undefined && options.token !== "";
  const headers = (extra: Record<string, string> = {}) => ({
    "user-agent": "enforcer-cli",
    ...(hadToken ? { authorization: `Bearer ${options.token}` } : {}),
    ...extra,
  });

  async function call<T>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    init: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    let status: number;
    let text: string;
    try {
      const res = await request(`${baseUrl}${path}${queryString(init.query)}`, {
        method,
        headers: headers({
          accept: "application/json",
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        }),
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        headersTimeout: CALL_TIMEOUT_MS,
        bodyTimeout: CALL_TIMEOUT_MS,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (error) {
      throw transportError(error, baseUrl);
    }
    // 204: done, nothing to say (a delete).
    if (status === 204) return { status, body: undefined as T };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status >= 400 || body === undefined) throw apiError(status, body, baseUrl, hadToken);
    return { status, body: body as T };
  }

  return {
    baseUrl,

    /** `created` is false when an Idempotency-Key replay returned the first rollout (200). */
    async createRollout(body: unknown, idempotencyKey?: string) {
      const res = await call<Rollout>("POST", "/v1/rollouts", {
        body,
        headers: idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey },
      });
      return { created: res.status === 202, rollout: res.body };
    },

    getRollout: async (id: string) => (await call<Rollout>("GET", rolloutPath(id))).body,

    listRollouts: async (query: { status?: string; limit?: number; cursor?: string }) =>
      (await call<Page<Rollout>>("GET", "/v1/rollouts", { query })).body,

    listTargets: async (id: string, query: { status?: string; limit?: number; cursor?: string }) =>
      (await call<Page<Target>>("GET", `${rolloutPath(id)}/targets`, { query })).body,

    control: async (id: string, action: ControlAction) =>
      (await call<Rollout>("POST", `${rolloutPath(id)}/${action}`)).body,

    /** `created` is false when the rollout was reverted before: that revert again (200). */
    async revert(id: string) {
      const res = await call<Rollout>("POST", `${rolloutPath(id)}/revert`);
      return { created: res.status === 202, rollout: res.body };
    },

    /** Creates (`created`) or replaces a compliance sweep. */
    async putSchedule(name: string, body: unknown) {
      const res = await call<Schedule>("PUT", schedulePath(name), { body });
      return { created: res.status === 201, schedule: res.body };
    },

    listSchedules: async (query: { limit?: number; cursor?: string }) =>
      (await call<Page<ScheduleSummary>>("GET", "/v1/schedules", { query })).body,

    getSchedule: async (name: string) => (await call<Schedule>("GET", schedulePath(name))).body,

    deleteSchedule: async (name: string) => {
      await call<undefined>("DELETE", schedulePath(name));
    },

    /** Fires the sweep now: the rollout it created. */
    runSchedule: async (name: string) => (await call<Rollout>("POST", `${schedulePath(name)}/run`)).body,

    /** `since`: a page's nextCursor (exclusive) or an ISO time (inclusive). */
    listAudit: async (query: { since?: string; limit?: number }) =>
      (await call<AuditPage>("GET", "/v1/audit", { query })).body,

    listGateways: async () => (await call<GatewayList>("GET", "/v1/gateways")).body,

    /** Stores the policy's next version; `ifVersion` refuses (409) unless the latest is that one. */
    putPolicy: async (name: string, body: unknown, ifVersion?: number) =>
      (
        await call<PolicyPut>("PUT", policyPath(name), {
          body,
          headers: ifVersion === undefined ? {} : { "if-match": `"${ifVersion}"` },
        })
      ).body,

    listPolicies: async (query: { limit?: number; cursor?: string }) =>
      (await call<Page<PolicySummary>>("GET", "/v1/policies", { query })).body,

    getPolicy: async (name: string) => (await call<PolicyDetail>("GET", policyPath(name))).body,

    getPolicyVersion: async (name: string, version: number) =>
      (await call<PolicyVersion>("GET", `${policyPath(name)}/versions/${version}`)).body,

    diffPolicy: async (name: string, query: { from?: number; to?: number }) =>
      (await call<PolicyDiff>("GET", `${policyPath(name)}/diff`, { query })).body,

    deletePolicy: async (name: string) => {
      await call<undefined>("DELETE", policyPath(name));
    },

    /** The rollout's report as a byte stream (the service streams it; so does the caller). */
    async openReport(id: string, format: "json" | "csv"): Promise<Readable> {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(`${baseUrl}${rolloutPath(id)}/report${queryString({ format })}`, {
          method: "GET",
          headers: headers({ accept: format === "csv" ? "text/csv" : "application/json" }),
          headersTimeout: CALL_TIMEOUT_MS,
          bodyTimeout: CALL_TIMEOUT_MS,
        });
      } catch (error) {
        throw transportError(error, baseUrl);
      }
      if (res.statusCode === 200) return res.body;
      const text = await res.body.text().catch(() => "");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {}
      throw apiError(res.statusCode, body, baseUrl, hadToken);
    },

    /**
     * The rollout's server-sent events as a byte stream, or undefined when the service offers no
     * stream (not deployed, 404/405, or a non-SSE answer): the caller then polls instead.
     * Auth refusals still throw, since polling would be refused too.
     */
    async openEvents(id: string): Promise<Readable | undefined> {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(`${baseUrl}${rolloutPath(id)}/events`, {
          method: "GET",
          headers: headers({ accept: "text/event-stream" }),
          headersTimeout: CALL_TIMEOUT_MS,
          bodyTimeout: STREAM_IDLE_MS,
        });
      } catch {
        return undefined;
      }
      const type = String(res.headers["content-type"] ?? "");
      if (res.statusCode === 200 && type.startsWith("text/event-stream")) return res.body;
      const text = await res.body.text().catch(() => "");
      if (res.statusCode === 401 || res.statusCode === 403) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {}
        throw apiError(res.statusCode, body, baseUrl, hadToken);
      }
      return undefined;
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
