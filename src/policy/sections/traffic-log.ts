import { z } from "zod";
import type { SectionDefinition } from "../section.js";
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
const schema = z
  .object({
    enabledTraceLog: z.boolean().optional(),
    enabledApplicationLog: z.boolean().optional(),
    apiProxyTrafficLogSettingsList: z.array(item).max(50).optional(),
  })
  .strict()
  .refine((t) => Object.keys(t).length > 0, "give at least one traffic-log setting");

export const trafficLogSection: SectionDefinition = {
  key: "trafficLog",
  segment: "traffic-log",
  label: "traffic log",
  appliesToAiProxies: true,
  schema,
  lint: () => [],
};
