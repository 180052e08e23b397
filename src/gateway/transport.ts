// One HTTP attempt against a manager: the pool, the token, timeouts, reading every body, and
// turning whatever happened into an answer or a classified GatewayError.
import { Pool } from "undici";
import type { JsonObject } from "./envelopes.js";
import { GatewayError, httpError, transportError } from "./errors.js";
import type { GatewayConfig, GatewayObserver, GatewayOperation } from "./types.js";

export interface HttpRequest {
  operation: GatewayOperation;
  method: "GET" | "PATCH" | "POST";
  path: string;
  body?: JsonObject;
  accept?: string;
  /** Overrides the gateway's timeout (a whole-project listing can be a very large body). */
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // the healthcheck's "OK", or an HTML error page from something in between
  }
}

export class GatewayTransport {
  readonly #gateway: GatewayConfig;
  readonly #pool: Pool;
  readonly #observer: GatewayObserver;

  constructor(gateway: GatewayConfig, origin: string, observer: GatewayObserver) {
    this.#gateway = gateway;
    this.#observer = observer;
    this.#pool = new Pool(origin, {
      connections: gateway.connections,
      // A PATCH must not queue behind another request on the same socket.
      pipelining: 1,
      // Below the 5 s idle timeout of Node servers and most proxies, so we never reuse a socket they closed.
      keepAliveTimeout: 4_000,
      headersTimeout: gateway.timeoutMs,
      bodyTimeout: gateway.timeoutMs,
      connect: { timeout: gateway.timeoutMs },
    });
  }

  /** One HTTP attempt: a 2xx answer with its parsed body, or a classified GatewayError. */
  async send(request: HttpRequest, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    const started = performance.now();
    let code = "network";
    // The pool's headers/body timeouts cut a silent server; this also bounds connect + a slow-drip body.
    const controller = new AbortController();
    const timeoutMs = request.timeoutMs ?? this.#gateway.timeoutMs;
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no complete answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });

    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#gateway.token}`,
      accept: request.accept ?? "application/json",
    };
    if (request.body) headers["content-type"] = "application/json";
    try {
      const response = await this.#pool.request({
        method: request.method,
        path: request.path,
        headers,
        body: request.body ? JSON.stringify(request.body) : null,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // Read every body, error answers included: an unread body keeps its socket out of the pool.
      const body = parseBody(this.#redact(await response.body.text()));
      code = String(response.statusCode);
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw httpError(request.operation, response.statusCode, response.headers, body, response.statusText);
      }
      return { status: response.statusCode, body };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (signal?.aborted) {
        code = "aborted";
        throw signal.reason;
      }
      const classified = transportError(request.operation, error);
      code = classified.code;
      throw classified;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      this.#observer.onRequest?.({
        gateway: this.#gateway.name,
        operation: request.operation,
        code,
        durationSeconds: (performance.now() - started) / 1000,
      });
    }
  }

  /** A manager echoing the token in an error body must not carry it into our errors and logs. */
  #redact(text: string): string {
    const token = this.#gateway.token;
    return token && text.includes(token) ? text.replaceAll(token, "[redacted]") : text;
  }

  /** Waits for in-flight requests, then closes the sockets. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Aborts in-flight requests and closes the sockets. */
  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
