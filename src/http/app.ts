import { randomUUID } from "node:crypto";
import { once } from "node:events";
import express, { type Request, type Response } from "express";
import type { Logger } from "pino";
import type { Caller, Config, Role } from "../config/config.js";
import type { Metrics } from "../metrics/registry.js";
import { ServiceError } from "../service/service-error.js";
import { authenticator, requireRole } from "./auth.js";
import { authFailureGuard } from "./auth-failures.js";
import { errorHandler } from "./error-mapping.js";
import type { Route, StreamReply } from "./route.js";
import { StreamSlots } from "./stream-slots.js";

export interface AppDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  routes: Route[];
  /** Whole sub-applications (the queue board) behind the same authentication; role null = public. */
  mounts?: Array<{ path: string; role: Role | null; router: express.Router }>;
}

const ANONYMOUS: Caller = { name: "anonymous", role: "viewer", secret: "" };

const hasBody = (req: Request) =>
  req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;

/** Writes a streamed reply with backpressure; stops when the client disconnects. */
async function streamTo(res: Response, reply: StreamReply): Promise<void> {
  const aborted = new AbortController();
  res.on("close", () => aborted.abort());
  // A client gone while the handler was still reading (its "close" came before the listener).
  if (res.destroyed) aborted.abort();
  res.status(reply.status);
  res.flushHeaders();
  const write = async (chunk: string) => {
    if (aborted.signal.aborted) return;
    if (!res.write(chunk)) await once(res, "drain", { signal: aborted.signal }).catch(() => {});
  };
  try {
    await reply.stream(write, aborted.signal);
  } catch (error) {
    // Ending normally would make a cut-short body (a CSV report) look complete: drop it instead.
    res.destroy();
    throw error;
  }
  res.end();
}

/** The express adapter: auth, body parsing, metrics and error mapping around plain route handlers. */
export function createApp(deps: AppDeps): express.Express {
  const { config, log, metrics } = deps;
  const authenticate = authenticator(config.callers, config.authDisabled);
  const json = express.json({ limit: config.bodyLimit, type: () => true });
  const streams = new StreamSlots(config.maxStreamsPerCaller);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = String(req.headers["x-request-id"] ?? randomUUID()).slice(0, 128);
    res.setHeader("X-Request-Id", requestId);
    // On every answer, errors and the queue board included: a body is never run as another type.
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.on("finish", () => {
      const route = (req.route?.path as string | undefined) ?? "unmatched";
      const labels = { method: req.method, route, code: String(res.statusCode) };
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      log.debug({ requestId, ...labels, ms: Math.round(seconds * 1000) }, "request");
    });
    next();
  });

  const methodsByPath = new Map<string, string[]>();
  for (const route of deps.routes) {
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method.toUpperCase()]);
    const handlers = [
      // Authenticate before reading a (possibly large) body.
      (req: Request, res: Response, next: () => void) => {
        if (route.role !== null) {
          const caller = authenticate(req.headers.authorization);
          requireRole(caller, route.role);
          res.locals.caller = caller;
        }
        if (route.body && hasBody(req) && !req.is("application/json")) {
          throw new ServiceError("unsupported_media_type", "send the body as application/json");
        }
        next();
      },
      ...(route.body ? [json] : []),
      async (req: Request, res: Response) => {
        const caller = (res.locals.caller as Caller | undefined) ?? ANONYMOUS;
        // Held until the stream ends or its client goes away.
        const release = route.eventStream ? streams.take(caller.name) : undefined;
        try {
          const reply = await route.handle({
            params: req.params as Record<string, string>,
            query: req.query as Record<string, unknown>,
            body: req.body,
            caller,
            header: (name) => req.get(name),
          });
          for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
          if ("stream" in reply) await streamTo(res, reply);
          else if (typeof reply.body === "string") res.status(reply.status).send(reply.body);
          else res.status(reply.status).json(reply.body);
        } finally {
          release?.();
        }
      },
    ];
    app[route.method](route.path, ...handlers);
  }
  for (const mount of deps.mounts ?? []) {
    app.use(
      mount.path,
      (req: Request, _res: Response, next: () => void) => {
        if (mount.role !== null) requireRole(authenticate(req.headers.authorization), mount.role);
        next();
      },
      mount.router,
    );
  }
  for (const [path, methods] of methodsByPath) {
    app.all(path, (_req, res) => {
      res.setHeader("Allow", [...methods].sort().join(", "));
      throw new ServiceError("method_not_allowed", `use ${methods.join(" or ")} on this path`);
    });
  }
  app.use((req) => {
    throw new ServiceError("not_found", `no route ${req.method} ${req.path}`);
  });
  app.use(authFailureGuard(log), errorHandler(log));
  return app;
}
