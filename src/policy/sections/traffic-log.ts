import { z } from "zod";
import { type SectionDefinition, sectionBody } from "../section.js";
import { shortText } from "../text.js";

const FLAGS = [
  "logParamRequestFromClient",
  "logHeaderRequestFromClient",
  "logBodyRequestFromClient",
  "logParamRequestToTarget",
  "logHeaderRequestToTarget",
  "logBodyRequestToTarget",
  "logHeaderResponseFromTarget",
  "logBodyResponseFromTarget",
  "logHeaderResponseToClient",
  "logBodyResponseToClient",
  "enableDatabaseConnector",
  "enableElasticsearchConnector",
  "enableSyslogConnector",
  "enableWebhookConnector",
  "enableRabbitMqConnector",
  "enableActiveMqConnector",
  "enableKafkaConnector",
  "enableGraylogConnector",
  "enableLogbackConnector",
] as const;

// One environment's entry (the manager's ApiProxyTrafficLogSettingItemDTO).
const item = z
  .object({
    environmentName: shortText.optional(),
    ...Object.fromEntries(FLAGS.map((flag) => [flag, z.boolean().optional()])),
  })
  .strict();

// The manager's ApiProxyTrafficLogSettingsUpdateDTO body.
const schema = sectionBody(
  {
    enabledTraceLog: z.boolean().optional(),
    enabledApplicationLog: z.boolean().optional(),
    apiProxyTrafficLogSettingsList: z.array(item).max(50).optional(),
  },
  "traffic-log",
);

export const trafficLogSection: SectionDefinition = {
  key: "trafficLog",
  segment: "traffic-log",
  label: "traffic log",
  appliesToAiProxies: true,
  schema,
  lint: () => [],
};
