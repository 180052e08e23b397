// PATCH .../settings/connection/ (ApiProxyConnectionSettingsUpdateDTO): timeouts, retries, redirects, pooling.
import { bool, int32, oneOf } from "./fields.js";
import { defineSection } from "./section.js";

const POOL_MANAGEMENT_TYPES = ["GENERAL", "CUSTOM", "NONE"] as const;

export const CONNECTION = defineSection({
  key: "connection",
  segment: "connection",
  schemaName: "ApiProxyConnectionSettingsUpdateDTO",
  fields: {
    connectionSettingsEnabled: bool,
    /** Seconds, as are the other timeouts. */
    connectTimeout: int32,
    readTimeout: int32,
    connectionRequestTimeout: int32,
    redirectsEnabled: bool,
    maxRedirects: int32,
    relativeRedirectsAllowed: bool,
    disableContentCompression: bool,
    enableStreaming: bool,
    retryCount: int32,
    failoverRetryCount: int32,
    ignoreRoutingError: bool,
    connectionPoolManagementType: oneOf(POOL_MANAGEMENT_TYPES),
    customConnectionPoolSize: int32,
  },
  // Guess: the docs give no defaults; these are their example's values with the custom settings off.
  defaults: () => ({
    connectionSettingsEnabled: false,
    connectTimeout: 30,
    readTimeout: 60,
    connectionRequestTimeout: 30,
    redirectsEnabled: true,
    maxRedirects: 50,
    relativeRedirectsAllowed: true,
    disableContentCompression: false,
    enableStreaming: false,
    retryCount: 0,
    failoverRetryCount: 0,
    ignoreRoutingError: false,
    connectionPoolManagementType: "GENERAL" as const,
  }),
  aiRefusal: "Connection settings are not supported for AI proxies",
});
