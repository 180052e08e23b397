// Serves the simulated management API over bare node:http (for throughput): faults, latency, auth, handlers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { failure, type Reply, rateLimited, unavailable } from "./envelopes.js";
import { HANDLERS } from "./handlers.js";
import { matchRoute, type RouteMatch } from "./routes.js";
import { SimulatorRuntime } from "./state.js";
import type { Flavour, RunningSimulator, SimulatorOptions } from "./types.js";

const JSON_TYPE = "application/json;charset=UTF-8";
const TEXT_TYPE = "text/plain;charset=UTF-8";
/** Far above any settings body; only there so a runaway client cannot fill memory. */
const MAX_BODY_BYTES = 1024 * 1024;
const FLAVOURS: readonly Flavour[] = ["classic", "newer"];

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const text = reply.plainText ? String(reply.body) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": reply.plainText ? TEXT_TYPE : JSON_TYPE,
    "content-length": Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

/** The whole body as text, or undefined when it exceeds MAX_BODY_BYTES. */
function readBody(req: IncomingMessage, done: (body: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on("end", () => done(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString("utf8") : undefined));
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}

function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const flavour = options.flavour ?? "newer";
  if (!FLAVOURS.includes(flavour)) throw new RangeError(`flavour must be classic or newer, got ${flavour}`);
  const runtime = new SimulatorRuntime(options);
  const timers = new Set<NodeJS.Timeout>();
  const hanging = new Set<Socket>();

  /** Runs `then` after `ms`, synchronously when there is no latency (the common, fast path). */
  function after(ms: number, then: () => void): void {
    if (ms <= 0) {
      then();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      then();
    }, ms);
    timers.add(timer);
  }

  function hang(socket: Socket): void {
    hanging.add(socket);
    socket.once("close", () => hanging.delete(socket));
  }

  function dispatch(match: Extract<RouteMatch, { kind: "route" }>, body: string): Reply {
    try {
      return HANDLERS[match.route.name]({ flavour, fleet: runtime.fleet, params: match.params, body });
    } catch (error) {
      console.error("simulator handler failed", error);
      return failure(flavour, 500, "Internal error");
    }
  }

  /** Refusals, and the answer of every route but PATCH; undefined when the body must be read first. */
  function replyWithoutBody(req: IncomingMessage, match: RouteMatch): Reply | undefined {
    const method = req.method ?? "GET";
    if (match.kind === "route" && match.route.public) return dispatch(match, "");
    // Like the manager's security filter: no route, not even a 404, is revealed without a valid token.
    if (!runtime.authorized(req.headers.authorization)) return failure(flavour, 401, "Token is not valid!");
    if (match.kind === "not_found") return failure(flavour, 404, `No endpoint ${method} ${req.url}`);
    if (match.kind === "wrong_method")
      return failure(flavour, 405, `Request method '${method}' is not supported`);
    if (match.kind === "bad_encoding") return failure(flavour, 400, "Malformed URL encoding in path");
    if (match.route.method !== "PATCH") return dispatch(match, "");
    const type = req.headers["content-type"];
    if (!isJson(type)) return failure(flavour, 415, `Content type '${type ?? "none"}' not supported`);
    return undefined;
  }

  function answer(req: IncomingMessage, res: ServerResponse, match: RouteMatch): void {
    const reply = replyWithoutBody(req, match);
    if (reply) {
      send(res, reply);
    } else if (match.kind === "route") {
      readBody(req, (body) => {
        send(
          res,
          body === undefined ? failure(flavour, 413, "Request body too large") : dispatch(match, body),
        );
      });
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    res.once("close", runtime.begin());
    const method = req.method ?? "GET";
    const match = matchRoute(method, req.url ?? "/");
    runtime.count(
      `${method} ${match.kind === "route" ? match.route.name : "unknown"}`,
      match.kind === "route" ? match.params : {},
    );
    if (match.kind === "route" && match.route.name === "mtls") runtime.notePatchRequest(match.params);
    // Over capacity: refused at once, like a rate limiter in front of the manager.
    const refused = runtime.admit();
    if (refused !== undefined) {
      send(
        res,
        refused.status === 429 ? rateLimited(flavour, refused.retryAfterSeconds) : unavailable(flavour),
      );
      return;
    }
    // Decided on arrival, before auth and validation: a faulted request changes nothing.
    const fault = runtime.drawFault(method);
    if (fault === "hang") {
      hang(req.socket);
      return;
    }
    after(runtime.drawLatency(), () => {
      switch (fault) {
        case "reset":
          req.socket.destroy();
          break;
        case "unavailable":
          send(res, unavailable(flavour));
          break;
        case "rate_limited":
          send(res, rateLimited(flavour, runtime.retryAfterSeconds()));
          break;
        default:
          answer(req, res, match);
      }
    });
  }

  const server = createServer(onRequest);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    state: runtime,
    close() {
      // Keep-alive sockets and hung requests would otherwise hold server.close() open indefinitely.
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of hanging) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
