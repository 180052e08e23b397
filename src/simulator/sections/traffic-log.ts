// PATCH .../settings/traffic-log/ (ApiProxyTrafficLogSettingsUpdateDTO): what is logged, per environment.
import { bool, listOf, objectOf, text } from "./fields.js";
import { defineSection } from "./section.js";

/** ApiProxyTrafficLogSettingItemDTO: one environment's logging. */
const ITEM = objectOf({
  environmentName: text,
  logParamRequestFromClient: bool,
  logHeaderRequestFromClient: bool,
  logBodyRequestFromClient: bool,
  logParamRequestToTarget: bool,
  logHeaderRequestToTarget: bool,
  logBodyRequestToTarget: bool,
  logHeaderResponseFromTarget: bool,
  logBodyResponseFromTarget: bool,
  logHeaderResponseToClient: bool,
  logBodyResponseToClient: bool,
  enableDatabaseConnector: bool,
  enableElasticsearchConnector: bool,
  enableSyslogConnector: bool,
  enableWebhookConnector: bool,
  enableRabbitMqConnector: bool,
  enableActiveMqConnector: bool,
  enableKafkaConnector: bool,
  enableGraylogConnector: bool,
  enableLogbackConnector: bool,
});

export const TRAFFIC_LOG = defineSection({
  key: "trafficLog",
  segment: "traffic-log",
  schemaName: "ApiProxyTrafficLogSettingsUpdateDTO",
  fields: {
    enabledTraceLog: bool,
    enabledApplicationLog: bool,
    /** Given, it replaces the whole list: PATCH merges top-level fields only. */
    apiProxyTrafficLogSettingsList: listOf(ITEM),
  },
  defaults: () => ({
    enabledTraceLog: false,
    enabledApplicationLog: false,
    apiProxyTrafficLogSettingsList: [],
  }),
});
