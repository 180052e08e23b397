import { z } from "zod";
import { boundedInt } from "../constraints.js";
import { finding, type SectionDefinition, sectionBody } from "../section.js";
import { shortText, text } from "../text.js";

const names = z.array(shortText).max(200);
const METHODS = ["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "TRACE", "ALL"] as const;

// The manager's CorsSettings body.
const schema = sectionBody(
  {
    name: shortText.optional(),
    description: text.max(2000).optional(),
    corsActive: z.boolean().optional(),
    origin: shortText.optional(),
    requestMethod: shortText.optional(),
    requestHeaderList: names.optional(),
    allowOriginList: names.optional(),
    allowCredentials: z.enum(["true", "false"]).describe("A string in the manager's body").optional(),
    exposeHeaderList: names.optional(),
    maxAge: boundedInt("Seconds a browser may cache a preflight answer").optional(),
    allowMethodList: z.array(z.enum(METHODS)).max(METHODS.length).optional(),
    allowHeaderList: names.optional(),
  },
  "CORS",
);

export const corsSection: SectionDefinition = {
  key: "cors",
  segment: "cors",
  label: "CORS",
  appliesToAiProxies: true,
  schema,
  wrapper: "corsSettings",
  lint(cors) {
    const origins = [...((cors.allowOriginList as string[] | undefined) ?? []), cors.origin];
    if (cors.allowCredentials === "true" && origins.includes("*")) {
      return [
        finding(
          "cors_wildcard_with_credentials",
          "allowOriginList",
          "a wildcard origin with credentials lets any site make authenticated calls: list the origins",
        ),
      ];
    }
    return [];
  },
};
