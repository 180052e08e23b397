// PATCH .../settings/cors/ (CorsSettings): newer managers take the fields wrapped in `corsSettings`.
import { bool, int32, listOf, oneOf, text } from "./fields.js";
import { defineSection } from "./section.js";

const HTTP_METHODS = ["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "TRACE", "ALL"] as const;

export const CORS = defineSection({
  key: "cors",
  segment: "cors",
  schemaName: "CorsSettings",
  // The schema marks `name` required; not enforced here, since every other field is a partial update.
  fields: {
    name: text,
    description: text,
    corsActive: bool,
    origin: text,
    requestMethod: text,
    requestHeaderList: listOf(text),
    allowOriginList: listOf(text),
    /** A string, "true" or "false", not a boolean (the docs insist). */
    allowCredentials: text,
    exposeHeaderList: listOf(text),
    maxAge: int32,
    allowMethodList: listOf(oneOf(HTTP_METHODS)),
    allowHeaderList: listOf(text),
  },
  wrapper: { flavour: "newer", property: "corsSettings" },
  // The newer docs' defaults.
  defaults: () => ({
    corsActive: false,
    allowOriginList: [],
    allowMethodList: [],
    allowHeaderList: [],
    exposeHeaderList: [],
    allowCredentials: "false",
    maxAge: 3600,
  }),
});
