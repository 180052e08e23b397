// The client against a mock manager built from the manager's published OpenAPI document alone
// (test/helpers/openapi-mock.ts): every request it sends must be a documented operation with a
// body valid for the document's schema, and each malformed deployment answer must fail the deploy.
// Skipped, saying so, where the reference copy of the document is absent (e.g. a user's clone).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialectOf } from "../src/config/gateway-dialect.js";
import { ApinizerClient } from "../src/gateway/client.js";
import type { GatewayError } from "../src/gateway/errors.js";
import type { GatewayConfig } from "../src/gateway/types.js";
import { settingsChange } from "../src/policy/compliance.js";
import { SECTIONS } from "../src/policy/registry.js";
import { type OpenApiMock, publishedDeployment, startOpenApiMock } from "./helpers/openapi-mock.js";
import {
  loadReferenceDocument,
  type OpenApiDocument,
  OpenApiValidator,
  REFERENCE_FILE,
} from "./helpers/openapi-validator.js";
import { CASES } from "./helpers/simulator-sections.js";

const doc = loadReferenceDocument();
const TITLE = "the client against a mock manager built from the published OpenAPI document";
const TOKEN = "mock-token-5d1e";

/** A valid policy section for each key, as an operator would write it for a classic manager. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  mtls: {
    enabled: true,
    keyStoreName: "ks",
    supportedProtocolList: ["TLS_1_3"],
    hostnameVerifierType: "STRICT",
  },
  // The document marks CORS `name` required.
  cors: { name: "default", ...CASES.cors?.valid },
  ...Object.fromEntries(
    Object.entries(CASES).flatMap(([key, c]) => (key === "cors" ? [] : [[key, c.valid]])),
  ),
};

const mtls = SECTIONS.find((section) => section.key === "mtls");
const mtlsChange = () =>
  settingsChange(mtls as NonNullable<typeof mtls>, SAMPLES.mtls ?? {}, dialectOf("classic"));
const EMPTY: OpenApiDocument = { paths: {}, components: { schemas: {} } };

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable("expected the call to fail"),
    (error: unknown) => error as GatewayError,
  );

describe.skipIf(doc === undefined)(doc ? TITLE : `${TITLE} (skipped: ${REFERENCE_FILE} is absent)`, () => {
  let mock: OpenApiMock;
  const clients: ApinizerClient[] = [];
  const client = (overrides: Partial<GatewayConfig> = {}, url = mock.url) => {
    const created = new ApinizerClient(
      {
        name: "mock",
        baseUrl: url,
        token: TOKEN,
        rateLimitPerSecond: 1000,
        timeoutMs: 2000,
        deployStyle: "endpoint",
        dialect: dialectOf("classic"),
        outageFailures: 20,
        outageWindowMs: 60_000,
        autoResume: false,
        connections: 2,
        maxTargets: 1000,
        ...overrides,
      },
      {},
      { minDelayMs: 5, maxDelayMs: 10, maxRetryTimeMs: 1000 },
    );
    clients.push(created);
    return created;
  };
  beforeAll(async () => {
    if (doc) mock = await startOpenApiMock(doc, { token: TOKEN });
  });
  afterAll(() => mock?.close());
  beforeEach(() => mock.reset());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it("lists, PATCHes every section and deploys as the document describes", async () => {
    const gateway = client();
    expect(await gateway.listProjects()).toEqual([{ name: "Payments" }]);
    expect((await gateway.listProxies("Payments")).map((p) => p.name)).toEqual(["orders", "refunds"]);
    for (const [i, section] of SECTIONS.entries()) {
      const settings = SAMPLES[section.key];
      expect(settings, section.key).toBeDefined();
      const deploy = i === SECTIONS.length - 1 ? { environments: ["test", "production"] } : undefined;
      const change = settingsChange(section, settings ?? {}, dialectOf("classic"));
      await gateway.updateSettings("Payments", "orders", change, deploy);
    }
    expect(mock.violations()).toEqual([]);
    expect(mock.requests.map((r) => r.operationId)).toEqual([
      "find_3",
      "listApiProxiesOfProject_1",
      ...SECTIONS.map(() => expect.stringMatching(/^update/)),
      "deployApiProxy",
      "deployApiProxy",
    ]);
    expect(mock.tracked("Payments", "orders", "production")).toMatchObject({ deployed: true, revision: 2 });
  });

  it("the published mTLS body (RoutingMTLSSettingsDTO) has no deploy fields: an inline deploy is refused", async () => {
    const error = await failureOf(
      client({ deployStyle: "inline" }).updateSettings("Payments", "orders", mtlsChange(), {
        environments: ["production"],
      }),
    );
    expect(error).toMatchObject({ kind: "permanent", httpStatus: 400 });
    expect(mock.violations()).toEqual([
      expect.stringMatching(/settings\/mtls\/: body: field 'deploy' is not in the document's schema$/),
      expect.stringMatching(
        /: body: field 'deployTargetEnvironmentNameList' is not in the document's schema$/,
      ),
    ]);
  });

  it("a manager that drops unknown fields saves without deploying: the inline deploy fails, named", async () => {
    const lenient = await startOpenApiMock(doc ?? EMPTY, {
      token: TOKEN,
      unknownFields: "ignore",
    });
    try {
      const error = await failureOf(
        client({ deployStyle: "inline" }, lenient.url).updateSettings("Payments", "orders", mtlsChange(), {
          environments: ["production"],
        }),
      );
      expect(error.gatewayMessage).toMatch(
        /^deployment failed: production: the manager reported no deployment result/,
      );
      expect(lenient.tracked("Payments", "orders", "production")).toMatchObject({ redeployRequired: true });
    } finally {
      await lenient.close();
    }
  });

  const MALFORMED: Array<[string, (environment: string) => unknown, RegExp]> = [
    ["no deploymentResult", () => undefined, /no deployment result/],
    ["{}", () => ({}), /names no environment and reports no success/],
    ["success missing", (env) => ({ envName: env }), /entry for production has no "success": true/],
    [
      "an unknown environment",
      () => publishedDeployment("staging"),
      /does not name production \(it names staging\)/,
    ],
    [
      "the environment missing from a list",
      () => ({ success: true, detailList: [publishedDeployment("test")] }),
      /does not name production \(it names test\)/,
    ],
  ];

  it.each(MALFORMED)(
    "a deploy answer with %s fails the deployment, naming the environment",
    async (_, result, why) => {
      mock.answers.deploymentResult = (call) => result(call.environment);
      const error = await failureOf(
        client().updateSettings("Payments", "orders", mtlsChange(), {
          environments: ["production"],
        }),
      );
      expect(error).toMatchObject({ kind: "permanent", httpStatus: 200 });
      expect(error.gatewayMessage).toMatch(/^deployment failed: production: /);
      expect(error.gatewayMessage).toMatch(why);
      expect(mock.violations()).toEqual([]);
    },
  );

  it("the mock's own answers are valid for the document's response schemas", () => {
    const validator = new OpenApiValidator(doc ?? EMPTY);
    expect(
      validator.validate("ApiOpsResponseSuccess", {
        status: "SUCCESS",
        deploymentResult: publishedDeployment("p"),
      }),
    ).toEqual([]);
    // The prose docs' spelling is not the document's.
    expect(
      validator.validate("ApiOpsResponseSuccess", {
        status: "SUCCESS",
        deploymentResult: { success: true, deploymentResults: [{ environmentName: "p", success: true }] },
      }),
    ).toEqual([
      "ApiOpsResponseSuccess/deploymentResult: field 'deploymentResults' is not in the document's schema",
    ]);
  });
});
