import { type Harness, POLICY } from "./service.js";

/** Two versions of one mTLS policy that differ in the hostname check only. */
export const LENIENT = { mtls: { ...POLICY.mtls, hostnameVerifierType: "DEFAULT" } };
export const STRICT = { mtls: { ...POLICY.mtls, hostnameVerifierType: "STRICT" } };

/** `PUT /v1/policies/{name}` (as admin unless `init.token` says otherwise). */
export const putPolicy = (
  h: Harness,
  name: string,
  body: unknown,
  init?: { token?: string | null; headers?: Record<string, string> },
) => h.api("PUT", `/v1/policies/${name}`, body, init);

/** The fields a 4xx answer's `details` name. */
export const detailPaths = (res: { body: { details?: Array<{ path: string }> } }) =>
  (res.body.details ?? []).map((d) => d.path);
