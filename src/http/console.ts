import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";
import type { Logger } from "pino";
import { whoamiContract } from "../contracts/operations.js";
import { ServiceError } from "../service/service-error.js";
import { json } from "./responses.js";
import type { Route } from "./route.js";

/** Where the web console is served; its page holds no token, so the files need none. */
export const CONSOLE_PATH = "/ui";

/**
 * The console's static files (plain ES modules, no build step), beside this module: `src/http/console/`
 * when run from source, `dist/http/console/` once compiled, so the build must copy that directory.
 */
export const CONSOLE_DIR = fileURLToPath(new URL("./console/", import.meta.url));

/**
 * Only this origin's own files and API: no inline script or style, no CDN, no fonts, no frames, no
 * form posts (the token must never travel in a form or URL), and Trusted Types so that no script can
 * assign markup through `innerHTML` and the like: API text only ever reaches the page as text.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

const HEADERS = {
  "Content-Security-Policy": CONSOLE_CSP,
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  // Always revalidated: a deployment's new console reaches every open tab on its next load.
  "Cache-Control": "no-cache",
};

/** The console's files under CONSOLE_PATH, with their security headers. */
export function consoleRouter(log: Logger, dir = CONSOLE_DIR): Router {
  const router = express.Router();
  const installed = existsSync(join(dir, "index.html"));
  if (!installed) log.warn({ dir }, "web console files not found: /ui answers 404");
  router.use((req, res, next) => {
    res.set(HEADERS);
    // Relative asset URLs need the directory form (also behind a reverse proxy's path prefix).
    if (req.originalUrl.split("?")[0] === CONSOLE_PATH) {
      res.redirect(308, `${CONSOLE_PATH.slice(1)}/`);
      return;
    }
    if (!installed) throw new ServiceError("not_found", "the web console is not installed on this server");
    next();
  });
  router.use(express.static(dir, { index: "index.html", dotfiles: "ignore", redirect: false, etag: true }));
  return router;
}

/** Who the bearer token stands for: the console shows only what the role allows. */
export const whoamiRoute: Route = {
  method: "get",
  path: "/v1/whoami",
  role: "viewer",
  operationId: "whoami",
  summary: "The caller's name and role, as the bearer token says ({name, role})",
  responses: { 200: json("The caller", whoamiContract) },
  handle: async ({ caller }) => ({ status: 200, body: { name: caller.name, role: caller.role } }),
};
