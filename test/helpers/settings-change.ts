import type { SettingsChange } from "../../src/gateway/client.js";

/** An mTLS section PATCH as the client takes it (fields as given, no dialect mapping). */
export const mtlsChange = (body: Record<string, unknown>): SettingsChange => ({
  segment: "mtls",
  operation: "update_mtls",
  body,
});
