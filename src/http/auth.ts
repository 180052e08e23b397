import { createHash, timingSafeEqual } from "node:crypto";
import { type Caller, ROLES, type Role } from "../config/config.js";
import { ServiceError } from "../service/service-error.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Who is calling, from `Authorization: Bearer <secret>`. */
export function authenticator(callers: readonly Caller[], disabled: boolean) {
  // Compare fixed-length digests in constant time, and look at every caller, so neither the
  // secret's length nor which caller matched shows in the timing.
  const known = callers.map((caller) => ({ caller, digest: digest(caller.secret) }));
  const anonymous: Caller = { name: "anonymous", role: "admin", secret: "" };

  return (authorization: string | undefined): Caller => {
    if (disabled) return anonymous;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match?.[1]) {
      throw new ServiceError("unauthorized", "missing bearer token: send Authorization: Bearer <token>");
    }
    const presented = digest(match[1]);
    let found: Caller | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.caller;
    }
    if (found === undefined) throw new ServiceError("unauthorized", "the bearer token is not valid");
    return found;
  };
}

export function requireRole(caller: Caller, role: Role): void {
  if (ROLES.indexOf(caller.role) < ROLES.indexOf(role)) {
    throw new ServiceError("forbidden", `this needs the ${role} role; ${caller.name} is ${caller.role}`);
  }
}
