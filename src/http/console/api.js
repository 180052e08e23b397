// The API as the console calls it: the bearer token lives in this tab's sessionStorage only (never
// localStorage, a cookie or the address) and goes out as `Authorization: Bearer` on every call.
import { sseParser } from "./sse.js";

const TOKEN_KEY = "enforcer-console.token";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** The API is one level above the console (`/ui/` → `/`), so a reverse proxy's path prefix still works. */
const BASE = new URL("../", document.baseURI);

export class ApiError extends Error {
  constructor(status, message, kind) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

let unauthorized = () => {};
/** Called when the API refuses the token (401): the console signs out. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** `path` with the defined, non-empty `params` as its query string. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method, path, accept, signal, token = session.token()) {
  if (!token) throw new ApiError(401, "not signed in", "unauthorized");
  const response = await fetch(new URL(path.replace(/^\//, ""), BASE), {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: accept },
    signal,
    cache: "no-store",
    credentials: "omit",
  });
  if (response.ok) return response;
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.status === 401) unauthorized();
  const message = typeof body?.message === "string" ? body.message : `HTTP ${response.status}`;
  throw new ApiError(response.status, message, body?.error);
}

/** One JSON call; an error answer throws an ApiError with the API's own message. */
export async function api(method, path, { signal, token } = {}) {
  const response = await send(method, path, "application/json", signal, token);
  return response.status === 204 ? null : response.json();
}

/** Reads a server-sent event stream until it ends (or `signal` aborts), calling `onEvent` for each event. */
export async function follow(path, onEvent, signal) {
  const response = await send("GET", path, "text/event-stream", signal);
  const push = sseParser(onEvent);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    push(value);
  }
}
