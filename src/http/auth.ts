import { createHash, timingSafeEqual } from "node:crypto";
import { type Caller, ROLES, type Role } from "../config/config.js";
import { ServiceError } from "../service/service-error.js";
import { HttpRefusal } from "./http-refusal.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

const CHALLENGE = 'Bearer realm="apinizer-policy-enforcer"';

/** A 401 with its RFC 6750 challenge; `invalid_token` when a token was sent but is not one. */
function unauthorized(message: string, tokenSent: boolean): HttpRefusal {
  return new HttpRefusal("unauthorized", message, {
    "WWW-Authenticate": tokenSent ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE,
  });
}

/**
 * Checks `Authorization: Bearer <token>` (any case of "Bearer") against known secrets and
 * answers what the matching secret stands for. Fixed-length digests are compared in constant
 * time, against every secret, so neither a secret's length nor which one matched shows in the
 * timing.
 */
export function bearerCheck<T>(secrets: ReadonlyArray<readonly [secret: string, value: T]>) {
  const known = secrets.map(([secret, value]) => ({ digest: digest(secret), value }));
  return (authorization: string | undefined): T => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    if (token === undefined) {
      throw unauthorized("missing bearer token: send Authorization: Bearer <token>", false);
    }
    const presented = digest(token);
    let found: T | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.value;
    }
    if (found === undefined) throw unauthorized("the bearer token is not valid", true);
    return found;
  };
}

/** Who is calling, from `Authorization: Bearer <secret>`. */
export function authenticator(callers: readonly Caller[], disabled: boolean) {
  const anonymous: Caller = { name: "anonymous", role: "admin", secret: "" };
  const check = bearerCheck(callers.map((caller) => [caller.secret, caller] as const));
  return (authorization: string | undefined): Caller => (disabled ? anonymous : check(authorization));
}

export function requireRole(caller: Caller, role: Role): void {
  if (ROLES.indexOf(caller.role) < ROLES.indexOf(role)) {
    throw new ServiceError("forbidden", `this needs the ${role} role; ${caller.name} is ${caller.role}`);
  }
}
