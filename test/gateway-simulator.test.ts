// The client against the real simulator over real HTTP, in both documentation generations.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApinizerClient } from "../src/gateway/client.js";
import { GatewayError } from "../src/gateway/errors.js";
import type { RetryOptions } from "../src/gateway/retry-policy.js";
import type { DeployStyle, GatewayObserver } from "../src/gateway/types.js";
import { startSimulator } from "../src/simulator/server.js";
import type { Flavour, RunningSimulator } from "../src/simulator/types.js";
import { mtlsChange } from "./helpers/settings-change.js";

const TOKEN = "tok-8d2e41b7-integration-secret";
const PROJECT = "Payments Team";
const ODD_NAMES = ["Orders API", "orders/v1", "Ödeme ✓ 支付", "a%2Fb?#"];
const FAST_RETRY: Partial<RetryOptions> = { minDelayMs: 5, maxDelayMs: 20, maxRetryTimeMs: 5_000 };

/** Every GatewayError any test saw: none may carry the token. */
const seenErrors: GatewayError[] = [];

afterAll(() => {
  expect(seenErrors.length).toBeGreaterThan(10);
  for (const error of seenErrors) {
    const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${JSON.stringify(error.deployments)}`;
    expect(text).not.toContain(TOKEN);
  }
});

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a GatewayError");
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  seenErrors.push(error as GatewayError);
  return error as GatewayError;
}

describe.each<Flavour>(["classic", "newer"])("ApinizerClient against the %s simulator", (flavour) => {
  // Each generation's spelling of the stores: by name (the openapi DTO) or by id (the newer docs).
  const keyStore = flavour === "classic" ? { keyStoreName: "ks-1" } : { keyStoreId: "ks-1" };
  const trustStore = flavour === "classic" ? { trustStoreName: "ts-1" } : { trustStoreId: "ts-1" };
  let sim: RunningSimulator;
  let clients: ApinizerClient[] = [];
  let requests: string[];
  let retries: string[];

  beforeAll(async () => {
    sim = await startSimulator({
      flavour,
      token: TOKEN,
      fleet: [
        {
          name: PROJECT,
          environments: ["test", "production"],
          proxies: [
            ...ODD_NAMES.map((name) => ({ name, deployedTo: ["test"] })),
            { name: "Chat Assistant", type: "AI" },
            { name: "Legacy SOAP", type: "SOAP", deployedTo: ["test", "production"] },
          ],
        },
        { name: "Other", proxies: [{ name: "x" }] },
      ],
      deployFailures: [
        {
          project: PROJECT,
          proxy: "Legacy SOAP",
          environment: "production",
          message: "gateway pod unreachable",
        },
      ],
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.state.reset();
    requests = [];
    retries = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
  });

  function client(
    options: {
      token?: string;
      timeoutMs?: number;
      deployStyle?: DeployStyle;
      retry?: Partial<RetryOptions>;
    } = {},
    onRequest?: GatewayObserver["onRequest"],
  ): ApinizerClient {
    const observer: GatewayObserver = {
      onRequest: (event) => {
        requests.push(event.code);
        onRequest?.(event);
      },
      onRetry: (event) => retries.push(event.reason),
    };
    const created = new ApinizerClient(
      {
        name: "sim",
        baseUrl: `${sim.url}/`,
        token: options.token ?? TOKEN,
        rateLimitPerSecond: 1000,
        timeoutMs: options.timeoutMs ?? 2_000,
        deployStyle: options.deployStyle ?? "inline",
        dialect: { storeFields: "id", wrapSections: true },
        connections: 4,
        maxTargets: 100_000,
      },
      observer,
      { ...FAST_RETRY, ...options.retry },
    );
    clients.push(created);
    return created;
  }

  describe("reads", () => {
    it("healthcheck, projects, proxies, one proxy and its full form", async () => {
      const gateway = client();
      await gateway.healthcheck();
      expect((await gateway.listProjects()).map((project) => project.name).sort()).toEqual([
        "Other",
        PROJECT,
      ]);
      const proxies = await gateway.listProxies(PROJECT);
      expect(proxies.map((proxy) => proxy.name).sort()).toEqual(
        [...ODD_NAMES, "Chat Assistant", "Legacy SOAP"].sort(),
      );
      expect(proxies.find((proxy) => proxy.name === "Chat Assistant")?.type).toBe("AI");
      const detail = await gateway.getProxy(PROJECT, "Legacy SOAP");
      expect(detail).toMatchObject({ name: "Legacy SOAP", type: "SOAP" });
      expect(detail.deploymentList).toEqual(
        expect.arrayContaining([{ environmentName: "production", deployed: true, redeployRequired: false }]),
      );
      const full = await gateway.getProxyFull(PROJECT, "orders/v1");
      expect(full).toMatchObject({ name: "orders/v1" });
      expect(requests.every((code) => code === "200")).toBe(true);
    });

    it("a missing project or proxy is permanent and not retried", async () => {
      const gateway = client();
      const missingProxy = await failure(gateway.getProxy(PROJECT, "Nope"));
      expect(missingProxy).toMatchObject({
        kind: "permanent",
        httpStatus: flavour === "classic" ? 404 : 400,
        gatewayMessage: "ApiProxy (name: Nope) was not found!",
        attempts: 1,
      });
      const missingProject = await failure(gateway.listProxies("Nope Project"));
      expect(missingProject).toMatchObject({ kind: "permanent", attempts: 1 });
      const missingPatch = await failure(
        gateway.updateSettings(PROJECT, "Nope", mtlsChange({ enabled: false })),
      );
      expect(missingPatch).toMatchObject({ kind: "permanent", attempts: 1 });
      expect(retries).toEqual([]);
    });

    it("a wrong token is auth, and is not retried", async () => {
      const gateway = client({ token: "wrong-token" });
      const error = await failure(
        gateway.updateSettings(PROJECT, "Orders API", mtlsChange({ enabled: false })),
      );
      expect(error).toMatchObject({ kind: "auth", code: "401", httpStatus: 401, attempts: 1 });
      expect(error.gatewayMessage).toBe("Token is not valid!");
      expect(sim.state.requestCounts()["PATCH mtls"]).toBe(1);
      expect(sim.state.proxy(PROJECT, "Orders API")?.patchCount).toBe(0);
      await failure(gateway.listProjects());
      expect(retries).toEqual([]);
    });
  });

  describe("updateMtls", () => {
    it.each(ODD_NAMES)("round-trips the name %j", async (name) => {
      const gateway = client();
      const settings = {
        enabled: true,
        ...keyStore,
        ...trustStore,
        supportedProtocolList: ["TLS_1_2", "TLS_1_3"] as const,
        hostnameVerifierType: "STRICT" as const,
      };
      const result = await gateway.updateSettings(
        PROJECT,
        name,
        mtlsChange({
          ...settings,
          supportedProtocolList: [...settings.supportedProtocolList],
        }),
      );
      expect(result).toEqual({ attempts: 1, httpStatus: 200, deployments: [] });
      const record = sim.state.proxy(PROJECT, name);
      expect(record?.patchCount).toBe(1);
      expect(record?.mtls).toMatchObject({ ...settings, supportedProtocolList: ["TLS_1_2", "TLS_1_3"] });
    });

    it("sends only the given fields", async () => {
      const gateway = client();
      await gateway.updateSettings(
        PROJECT,
        "Orders API",
        mtlsChange({ enabled: true, ...keyStore, hostnameVerifierType: "STRICT" }),
      );
      await gateway.updateSettings(PROJECT, "Orders API", mtlsChange({ hostnameVerifierType: "DEFAULT" }));
      expect(sim.state.proxy(PROJECT, "Orders API")?.mtls).toMatchObject({
        enabled: true,
        ...keyStore,
        hostnameVerifierType: "DEFAULT",
      });
    });

    it("the manager's validation message comes back as a permanent error", async () => {
      const error = await failure(
        client().updateSettings(PROJECT, "Orders API", mtlsChange({ enabled: true })),
      );
      expect(error).toMatchObject({
        kind: "permanent",
        httpStatus: 400,
        gatewayMessage: "KeyStore ID is required when mTLS is enabled",
        attempts: 1,
      });
    });

    it("an AI proxy refuses mTLS settings: permanent", async () => {
      const error = await failure(
        client().updateSettings(PROJECT, "Chat Assistant", mtlsChange({ enabled: false })),
      );
      expect(error).toMatchObject({ kind: "permanent", httpStatus: 400, attempts: 1 });
      expect(sim.state.proxy(PROJECT, "Chat Assistant")?.patchCount).toBe(0);
    });
  });

  describe.each<DeployStyle>(["inline", "endpoint"])("deploying %s", (deployStyle) => {
    it("saves and deploys to every environment", async () => {
      const gateway = client({ deployStyle });
      const result = await gateway.updateSettings(PROJECT, "Ödeme ✓ 支付", mtlsChange({ enabled: false }), {
        environments: ["test", "production"],
      });
      expect(result.deployments).toEqual([
        { environmentName: "test", success: true },
        { environmentName: "production", success: true },
      ]);
      expect(result.attempts).toBe(deployStyle === "inline" ? 1 : 3);
      expect(sim.state.proxy(PROJECT, "Ödeme ✓ 支付")?.deploys).toEqual(["test", "production"]);
      expect(sim.state.requestCounts()["POST deploy"] ?? 0).toBe(deployStyle === "inline" ? 0 : 2);
    });

    it("a deployment failing under HTTP 200 fails the update, naming the environment", async () => {
      const gateway = client({ deployStyle });
      const error = await failure(
        gateway.updateSettings(PROJECT, "Legacy SOAP", mtlsChange({ enabled: false }), {
          environments: ["test", "production"],
        }),
      );
      expect(error).toMatchObject({ kind: "permanent", httpStatus: 200 });
      expect(error.gatewayMessage).toBe("deployment failed: production: gateway pod unreachable");
      expect(error.deployments).toEqual([
        { environmentName: "test", success: true },
        { environmentName: "production", success: false, message: "gateway pod unreachable" },
      ]);
      // The save itself went through; only the deployment did not.
      expect(sim.state.proxy(PROJECT, "Legacy SOAP")).toMatchObject({ patchCount: 1, deploys: ["test"] });
    });

    it("an unknown environment fails the update", async () => {
      const error = await failure(
        client({ deployStyle }).updateSettings(PROJECT, "Orders API", mtlsChange({ enabled: false }), {
          environments: ["staging"],
        }),
      );
      expect(error.kind).toBe("permanent");
      expect(error.deployments?.[0]).toMatchObject({ environmentName: "staging", success: false });
    });
  });

  describe("faults", () => {
    it("503s are retried until success, and a faulted PATCH changes nothing", async () => {
      sim.state.update({ faults: { rate503: 0.5 } });
      const gateway = client({ retry: { maxAttempts: 12 } });
      for (const name of ODD_NAMES)
        await gateway.updateSettings(PROJECT, name, mtlsChange({ hostnameVerifierType: "STRICT" }));
      expect(retries.length).toBeGreaterThan(0);
      expect(new Set(retries)).toEqual(new Set(["503"]));
      for (const name of ODD_NAMES) expect(sim.state.proxy(PROJECT, name)?.patchCount).toBe(1);
    });

    it("503s that never stop fail as retryable after maxAttempts", async () => {
      sim.state.update({ faults: { rate503: 1 } });
      const error = await failure(client({ retry: { maxAttempts: 3 } }).listProjects());
      expect(error).toMatchObject({ kind: "retryable", code: "503", attempts: 3 });
      expect(requests).toEqual(["503", "503", "503"]);
    });

    it("a 429's Retry-After is honoured before the retry", async () => {
      sim.state.update({ faults: { rate429: 1, retryAfterSeconds: 1 } });
      const gateway = client({}, (event) => {
        if (event.code === "429") sim.state.update({ faults: {} });
      });
      const started = performance.now();
      const result = await gateway.updateSettings(PROJECT, "Orders API", mtlsChange({ enabled: false }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(result.attempts).toBe(2);
      expect(retries).toEqual(["429"]);
    });

    it("with rateLimited 'throw' the 429 comes back at once with its wait", async () => {
      sim.state.update({ faults: { rate429: 1, retryAfterSeconds: 30 } });
      const error = await failure(
        client().updateSettings(PROJECT, "Orders API", mtlsChange({ enabled: false }), undefined, {
          rateLimited: "throw",
        }),
      );
      expect(error).toMatchObject({ kind: "rate-limited", code: "429", retryAfterMs: 30_000, attempts: 1 });
    });

    it("a hang is cut by the timeout, retried, then fails as a timeout", async () => {
      sim.state.update({ faults: { rateHang: 1 } });
      const started = performance.now();
      const error = await failure(
        client({ timeoutMs: 150, retry: { maxAttempts: 3 } }).getProxy(PROJECT, "x"),
      );
      expect(error).toMatchObject({ kind: "retryable", code: "timeout", attempts: 3 });
      expect(requests).toEqual(["timeout", "timeout", "timeout"]);
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it("resets are network errors, retried", async () => {
      sim.state.update({ faults: { rateReset: 1 } });
      const gateway = client({}, (event) => {
        if (event.code === "network") sim.state.update({ faults: {} });
      });
      const result = await gateway.updateSettings(PROJECT, "orders/v1", mtlsChange({ enabled: false }));
      expect(result.attempts).toBe(2);
      expect(retries).toEqual(["network"]);
      expect(sim.state.proxy(PROJECT, "orders/v1")?.patchCount).toBe(1);
    });
  });
});
