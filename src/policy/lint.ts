// Checks a policy before anything is sent: weak protocols, lax hostname checks, risky bounds.
import { type Policy, sectionsOf } from "./registry.js";

export interface PolicyWarning {
  code: string;
  /** Where, from the request body's root: `policy.mtls.hostnameVerifierType`. */
  path: string;
  message: string;
}

export function lintPolicy(policy: Policy, root = "policy"): PolicyWarning[] {
  return sectionsOf(policy).flatMap(({ section, settings }) =>
    section
      .lint(settings)
      .map((f) => ({ code: f.code, path: `${root}.${section.key}.${f.field}`, message: f.message })),
  );
}
