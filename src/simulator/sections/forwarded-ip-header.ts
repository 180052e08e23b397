// PATCH .../settings/forwarded-ip-header/ (ForwardedIpHeaderParam): which header and position name the client IP.
import { bool, oneOf, text } from "./fields.js";
import { defineSection } from "./section.js";

const XFF_ORDERS = ["FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "LAST"] as const;

export const FORWARDED_IP_HEADER = defineSection({
  key: "forwardedIpHeader",
  segment: "forwarded-ip-header",
  schemaName: "ForwardedIpHeaderParam",
  // The newer docs wrap this body too.
  wrapper: { flavour: "newer", property: "forwardedIpHeaderParam" },
  fields: {
    forwardedIpHeaderParamActive: bool,
    /** The header's name. */
    value: text,
    xffOrder: oneOf(XFF_ORDERS),
  },
  // The docs' defaults.
  defaults: () => ({
    forwardedIpHeaderParamActive: false,
    value: "X-Forwarded-For",
    xffOrder: "FIRST" as const,
  }),
});
