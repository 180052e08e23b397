// Real HTTP calls against a running simulator, as a gateway client would make them.
import type { RunningSimulator } from "../../src/simulator/types.js";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  contentType?: string | null;
  signal?: AbortSignal;
}

/** Path of one proxy (plus an optional suffix), each name encoded as a single segment. */
export function proxyPath(project: string, proxy: string, suffix = ""): string {
  return `/apiops/projects/${encodeURIComponent(project)}/apiProxies/${encodeURIComponent(proxy)}/${suffix}`;
}

/** `PATCH .../settings/<segment>/` of one proxy. */
export function sectionPath(project: string, proxy: string, segment: string): string {
  return proxyPath(project, proxy, `settings/${segment}/`);
}

export function mtlsPath(project: string, proxy: string): string {
  return sectionPath(project, proxy, "mtls");
}

export async function call(
  simulator: RunningSimulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (options.contentType !== null) headers["content-type"] = options.contentType ?? "application/json";
  }
  const response = await fetch(simulator.url + path, { method, headers, body, signal: options.signal });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function patchMtls(
  simulator: RunningSimulator,
  project: string,
  proxy: string,
  body: unknown,
  token?: string,
): Promise<Answer> {
  return call(simulator, "PATCH", mtlsPath(project, proxy), { body, token });
}
