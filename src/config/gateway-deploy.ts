// How a gateway's manager deploys, and whether each deployment is read back: both per gateway.
import { z } from "zod";

export const deployStyleSchema = z
  .enum(["endpoint", "inline"])
  .default("endpoint")
  .describe(
    "endpoint: one documented POST …/environments/{env}/ per environment after the PATCH (the default); inline: deploy fields in the PATCH, only for managers known to take them (the published document's settings bodies have none)",
  );

export const deployStatusSchema = z
  .enum(["none", "read"])
  .default("none")
  .describe(
    "read: verify every deployment with GET …/environments/{env}/deploy-status/, and let dry runs report proxies saved but not deployed; none: trust the deploy answer",
  );
