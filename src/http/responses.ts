import type { z } from "zod";
import type { ResponseHeader, ResponseSpec } from "./route.js";

// Shorthands for the `responses` of route declarations.

/** A JSON answer whose body is `schema` (a named contract). */
export const json = (description: string, schema: z.ZodType, headers?: ResponseHeader[]): ResponseSpec => ({
  description,
  content: { "application/json": schema },
  ...(headers === undefined ? {} : { headers }),
});

/** 204: done, no body. */
export const noContent = (description: string): ResponseSpec => ({ description });
