// The settings sections as the manager's documents describe them, for tests of the simulator over HTTP.
// Written from the docs and the openapi file, not from src/simulator/sections/, so each checks the other.
import type { Flavour, RunningSimulator } from "../../src/simulator/types.js";
import { type Answer, call, proxyPath, sectionPath } from "./simulator-http.js";

export interface SectionCase {
  segment: string;
  /** A body every generation accepts (wrapped where the generation wraps). */
  valid: Record<string, unknown>;
  /** A second, partial update. */
  update: Record<string, unknown>;
  wrongType: [field: string, value: unknown];
  badEnum?: [field: string, value: unknown];
  /** The 400 message on AI-type proxies, for sections that do not apply to them. */
  aiRefusal?: string;
}

/** Every section but mTLS, whose store fields differ by generation (tested on their own). */
export const CASES: Record<string, SectionCase> = {
  cors: {
    segment: "cors",
    valid: {
      corsActive: true,
      allowOriginList: ["https://shop.example"],
      allowMethodList: ["GET", "OPTIONS"],
      allowCredentials: "true",
      maxAge: 600,
    },
    update: { maxAge: 60 },
    // The docs insist: a string, not a boolean.
    wrongType: ["allowCredentials", true],
    badEnum: ["allowMethodList", ["GET", "FETCH"]],
  },
  connection: {
    segment: "connection",
    valid: {
      connectionSettingsEnabled: true,
      connectTimeout: 10,
      readTimeout: 45,
      connectionPoolManagementType: "CUSTOM",
      customConnectionPoolSize: 16,
    },
    update: { retryCount: 2 },
    // One past the int32 range.
    wrongType: ["readTimeout", 2 ** 31],
    badEnum: ["connectionPoolManagementType", "SHARED"],
    aiRefusal: "Connection settings are not supported for AI proxies",
  },
  circuitBreaker: {
    segment: "circuit-breaker",
    valid: {
      circuitBreakerEnabled: true,
      errorWindow: 60,
      errorThresholdValue: 50,
      enumErrorThresholdType: "PERCENT",
      sleepWindow: 30,
      halfOpenEnabled: true,
    },
    update: { sleepWindow: 10 },
    wrongType: ["errorWindow", "60"],
    badEnum: ["enumErrorThresholdType", "percent"],
  },
  trafficLog: {
    segment: "traffic-log",
    valid: {
      enabledTraceLog: true,
      apiProxyTrafficLogSettingsList: [
        { environmentName: "production", logBodyRequestFromClient: false, enableKafkaConnector: true },
      ],
    },
    update: { enabledApplicationLog: true },
    wrongType: ["enabledApplicationLog", 1],
  },
  forwardedIpHeader: {
    segment: "forwarded-ip-header",
    valid: { forwardedIpHeaderParamActive: true, value: "X-Real-IP", xffOrder: "LAST" },
    update: { xffOrder: "SECOND" },
    wrongType: ["value", 7],
    badEnum: ["xffOrder", "SIXTH"],
  },
};

export const KEYS = Object.keys(CASES);

/** Newer managers wrap these sections' fields (the docs' spelling, written here independently). */
const NEWER_WRAPPERS: Record<string, string> = {
  cors: "corsSettings",
  forwardedIpHeader: "forwardedIpHeaderParam",
};

/** The body a generation expects: newer managers wrap some sections' fields. */
export function bodyOf(
  flavour: Flavour,
  key: string,
  settings: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const wrapper = flavour === "newer" ? NEWER_WRAPPERS[key] : undefined;
  return wrapper ? { [wrapper]: settings, ...extra } : { ...settings, ...extra };
}

/** Talks to one simulator of one generation about one project's proxies. */
export function sectionClient(sim: () => RunningSimulator, flavour: Flavour, project: string) {
  return {
    patch(key: string, settings: Record<string, unknown>, proxy = "orders", extra = {}): Promise<Answer> {
      const segment = CASES[key]?.segment ?? key;
      return call(sim(), "PATCH", sectionPath(project, proxy, segment), {
        body: bodyOf(flavour, key, settings, extra),
      });
    },
    /** `routing` of `GET .../full`: every section's current settings. */
    async routing(proxy = "orders"): Promise<Record<string, Record<string, unknown>>> {
      const answer = await call(sim(), "GET", proxyPath(project, proxy, "full"));
      return (flavour === "classic" ? answer.json : answer.json.resultList[0]).routing;
    },
    messageOf(answer: Answer): string {
      return flavour === "classic" ? answer.json.error_description : answer.json.resultMessage;
    },
    successBody: flavour === "classic" ? { success: true } : { status: "SUCCESS" },
  };
}
