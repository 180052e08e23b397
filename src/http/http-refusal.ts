import { type ErrorDetail, type ErrorKind, ServiceError } from "../service/service-error.js";

/** A refusal whose answer needs headers of its own: a 401's challenge, a 429's Retry-After. */
export class HttpRefusal extends ServiceError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly headers: Record<string, string>,
    details: ErrorDetail[] = [],
  ) {
    super(kind, message, details);
  }
}
