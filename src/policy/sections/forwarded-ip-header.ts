import { z } from "zod";
import { type SectionDefinition, sectionBody } from "../section.js";
import { shortText } from "../text.js";

// The manager's ForwardedIpHeaderParam body.
const schema = sectionBody(
  {
    forwardedIpHeaderParamActive: z.boolean().optional(),
    value: shortText.describe("The header that carries the client address, e.g. X-Forwarded-For").optional(),
    xffOrder: z.enum(["FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "LAST"]).optional(),
  },
  "forwarded-IP-header",
);

export const forwardedIpHeaderSection: SectionDefinition = {
  key: "forwardedIpHeader",
  segment: "forwarded-ip-header",
  label: "forwarded IP header",
  appliesToAiProxies: true,
  schema,
  wrapper: "forwardedIpHeaderParam",
  lint: () => [],
};
