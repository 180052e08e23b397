import { z } from "zod";
import type { Dialect } from "../gateway/types.js";

export const generationSchema = z
  .enum(["newer", "classic"])
  .default("newer")
  .describe(
    "The manager's documentation generation: newer (docs.apinizer.com: mTLS stores as keyStoreId/trustStoreId, CORS fields wrapped in corsSettings) or classic (the published OpenAPI document: keyStoreName/trustStoreName, flat bodies)",
  );

export const storeFieldsSchema = z
  .enum(["id", "name"])
  .optional()
  .describe("Overrides the generation's spelling of the mTLS stores: id (keyStoreId) or name (keyStoreName)");

/** How the gateway's manager spells settings bodies. */
export function dialectOf(generation: "newer" | "classic", storeFields?: "id" | "name"): Dialect {
  return {
    storeFields: storeFields ?? (generation === "newer" ? "id" : "name"),
    wrapSections: generation === "newer",
  };
}
