import { z } from "zod";

/**
 * Every string of a body. A lone surrogate (text that is not well-formed UTF-16) can be neither
 * percent-encoded into a gateway URL nor stored by Redis's cjson, so it is refused at intake.
 */
export const text = z
  .string()
  .refine((s) => s.isWellFormed(), "must be well-formed Unicode (no lone surrogates)");

/** A name or short setting value. */
export const shortText = text.min(1).max(512);
