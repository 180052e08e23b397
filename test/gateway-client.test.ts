// Narrow tests of the client against a scripted HTTP stub: request shape, envelope variants the
// simulator may not produce, and transport behaviour (resets, hangs, aborts, body draining).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApinizerClient } from "../src/gateway/client.js";
import { GatewayError } from "../src/gateway/errors.js";
import type { GatewayConfig, GatewayObserver } from "../src/gateway/types.js";
import { mtlsChange } from "./helpers/settings-change.js";

const TOKEN = "tok-3f1c9a7e-unit-secret";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}
type Reply = { status?: number; headers?: Record<string, string>; body?: unknown } | "reset" | "hang";

interface Stub {
  baseUrl: string;
  seen: Seen[];
}

const servers: Server[] = [];
const clients: ApinizerClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server answering with `replies` in turn (the last one repeats). */
async function stub(replies: Reply[] | ((seen: Seen) => Reply), prefix = ""): Promise<Stub> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      };
      seen.push(request);
      const reply =
        typeof replies === "function" ? replies(request) : (replies[seen.length - 1] ?? replies.at(-1));
      if (reply === "hang" || reply === undefined) return;
      if (reply === "reset") return req.socket.destroy();
      const body =
        typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? { success: true });
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      res.end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}${prefix}`, seen };
}

interface Events {
  requests: string[];
  retries: string[];
}

function client(
  baseUrl: string,
  overrides: Partial<GatewayConfig> = {},
  retry = {},
): [ApinizerClient, Events] {
  const events: Events = { requests: [], retries: [] };
  const observer: GatewayObserver = {
    onRequest: (event) => events.requests.push(`${event.operation} ${event.code}`),
    onRetry: (event) => events.retries.push(event.reason),
  };
  const gateway: GatewayConfig = {
    name: "unit",
    baseUrl,
    token: TOKEN,
    rateLimitPerSecond: 100,
    timeoutMs: 300,
    deployStyle: "inline",
    dialect: { storeFields: "id", wrapSections: true },
    outageFailures: 20,
    outageWindowMs: 60_000,
    autoResume: false,
    connections: 2,
    maxTargets: 100_000,
    ...overrides,
  };
  const created = new ApinizerClient(gateway, observer, {
    minDelayMs: 5,
    maxDelayMs: 20,
    maxRetryTimeMs: 5_000,
    ...retry,
  });
  clients.push(created);
  return [created, events];
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as GatewayError,
  );

describe("ApinizerClient request shape", () => {
  it("PATCHes only the given mTLS fields, with bearer auth and JSON headers, under a path prefix", async () => {
    const server = await stub([{ body: { success: true } }], "/manager/");
    const [gateway] = client(server.baseUrl);
    const result = await gateway.updateSettings(
      "My Project",
      "orders/v1",
      mtlsChange({
        enabled: true,
        keyStoreId: "ks-1",
        hostnameVerifierType: "STRICT",
        trustStoreId: undefined,
      }),
    );
    expect(result).toEqual({ attempts: 1, httpStatus: 200, deployments: [] });
    const [request] = server.seen;
    expect(request?.method).toBe("PATCH");
    expect(request?.url).toBe("/manager/apiops/projects/My%20Project/apiProxies/orders%2Fv1/settings/mtls/");
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.accept).toBe("application/json");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body).toEqual({ enabled: true, keyStoreId: "ks-1", hostnameVerifierType: "STRICT" });
  });

  it("adds the inline deploy fields when deploying inline", async () => {
    const server = await stub([
      {
        body: {
          status: "SUCCESS",
          deploymentResult: {
            success: true,
            deploymentResults: [{ environmentName: "prod", success: true }],
          },
        },
      },
    ]);
    const [gateway] = client(server.baseUrl);
    const result = await gateway.updateSettings("p", "a", mtlsChange({ enabled: false }), {
      environments: ["prod"],
    });
    expect(server.seen[0]?.body).toEqual({
      enabled: false,
      deploy: true,
      deployTargetEnvironmentNameList: ["prod"],
    });
    expect(result.deployments).toEqual([{ environmentName: "prod", success: true }]);
  });

  it("an inline deploy the manager ignored (no deploymentResult) is a failure", async () => {
    const server = await stub([{ body: { success: true } }]);
    const [gateway] = client(server.baseUrl);
    const error = await failureOf(
      gateway.updateSettings("p", "a", mtlsChange({ enabled: false }), { environments: ["prod"] }),
    );
    expect(error).toMatchObject({ kind: "permanent", attempts: 1 });
    expect(error.deployments).toMatchObject([{ environmentName: "prod", success: false }]);
    expect(error.deployments?.[0]?.message).toMatch(/^the manager reported no deployment result \(/);
  });

  it("healthcheck asks for text and accepts OK", async () => {
    const server = await stub([{ headers: { "content-type": "text/plain" }, body: "OK" }]);
    const [gateway, events] = client(server.baseUrl);
    await gateway.healthcheck();
    expect(server.seen[0]?.url).toBe("/apiops/test/healthcheck");
    expect(server.seen[0]?.headers.accept).toContain("text/plain");
    expect(events.requests).toEqual(["healthcheck 200"]);
  });
});

describe("ApinizerClient envelopes", () => {
  it("reads lists from a bare array and keeps only summary fields", async () => {
    const server = await stub([
      { body: [{ name: "a", type: "REST", relativePath: "/a", requestPolicyList: [1, 2] }] },
    ]);
    const [gateway] = client(server.baseUrl);
    expect(await gateway.listProxies("p")).toEqual([{ name: "a", type: "REST", relativePath: "/a" }]);
  });

  it("a list entry without a name is an error, not a silently skipped proxy", async () => {
    const server = await stub([
      { body: { status: "SUCCESS", resultList: [{ name: "a" }, { description: "?" }] } },
    ]);
    const [gateway] = client(server.baseUrl);
    const error = await failureOf(gateway.listProxies("p"));
    expect(error).toMatchObject({
      kind: "permanent",
      gatewayMessage: "list entry without a name",
      attempts: 1,
    });
  });

  it("a failure envelope under 200 is permanent and not retried", async () => {
    const server = await stub([
      { body: { status: "FAILURE", resultMessage: "User does not have required permission" } },
    ]);
    const [gateway, events] = client(server.baseUrl);
    const error = await failureOf(gateway.listProjects());
    expect(error).toMatchObject({
      kind: "permanent",
      httpStatus: 200,
      gatewayMessage: "User does not have required permission",
    });
    expect(events.requests).toEqual(["list_projects 200"]);
  });

  it("a write answered 200 without a success envelope is not taken as done", async () => {
    const server = await stub([{ body: "<html>login</html>" }]);
    const [gateway] = client(server.baseUrl);
    await expect(gateway.updateSettings("p", "a", mtlsChange({ enabled: false }))).rejects.toMatchObject({
      kind: "permanent",
    });
  });

  it("reads one proxy from the bare object (older) and from resultList[0] (newer)", async () => {
    const proxy = { name: "a", type: "REST", deploymentList: [{ environmentName: "prod", deployed: true }] };
    const server = await stub([{ body: proxy }, { body: { success: true, resultList: [proxy] } }]);
    const [gateway] = client(server.baseUrl);
    expect(await gateway.getProxy("p", "a")).toEqual(proxy);
    expect(await gateway.getProxy("p", "a")).toEqual(proxy);
    expect(server.seen[0]?.url).toBe("/apiops/projects/p/apiProxies/a/");
  });
});

describe("ApinizerClient retries and transport", () => {
  it("retries 5xx and reports every attempt and retry", async () => {
    const server = await stub([
      { status: 503 },
      { status: 502, body: "" },
      { body: { status: "SUCCESS", resultList: [] } },
    ]);
    const [gateway, events] = client(server.baseUrl);
    expect(await gateway.listProjects()).toEqual([]);
    expect(events.requests).toEqual(["list_projects 503", "list_projects 502", "list_projects 200"]);
    expect(events.retries).toEqual(["503", "502"]);
  });

  it("honours a Retry-After HTTP date", async () => {
    const at = new Date(Date.now() + 1_000).toUTCString(); // whole seconds: waits 0..1 s
    const server = await stub([{ status: 429, headers: { "retry-after": at } }, { body: { success: true } }]);
    const [gateway] = client(server.baseUrl);
    const started = Date.now();
    await gateway.updateSettings("p", "a", mtlsChange({ enabled: false }));
    expect(Date.now() + 5).toBeGreaterThanOrEqual(Date.parse(at));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("with rateLimited 'throw' a 429 comes back at once with its wait", async () => {
    const server = await stub([{ status: 429, body: { error: "rate_limit_exceeded", retry_after: 7 } }]);
    const [gateway] = client(server.baseUrl);
    const error = await failureOf(
      gateway.updateSettings("p", "a", mtlsChange({ enabled: false }), undefined, { rateLimited: "throw" }),
    );
    expect(error).toMatchObject({ kind: "rate-limited", retryAfterMs: 7_000, attempts: 1 });
  });

  it("a reset connection is a retried network error", async () => {
    const server = await stub(["reset", { body: { success: true } }]);
    const [gateway, events] = client(server.baseUrl);
    expect((await gateway.updateSettings("p", "a", mtlsChange({ enabled: false }))).attempts).toBe(2);
    expect(events.retries).toEqual(["network"]);
  });

  it("a refused connection is a network error, retried then failing", async () => {
    const server = await stub([]);
    const url = server.baseUrl;
    const closing = servers.pop();
    await new Promise((resolve) => closing?.close(resolve));
    const [gateway, events] = client(url, {}, { maxAttempts: 2 });
    const error = await failureOf(gateway.listProjects());
    expect(error).toMatchObject({ kind: "retryable", code: "network", attempts: 2 });
    expect(events.requests).toEqual(["list_projects network", "list_projects network"]);
  });

  it("a hang is cut by the timeout, retried, then fails as a timeout", async () => {
    const server = await stub(["hang"]);
    const [gateway, events] = client(server.baseUrl, { timeoutMs: 150 }, { maxAttempts: 3 });
    const started = Date.now();
    const error = await failureOf(gateway.getProxy("p", "a"));
    expect(error).toMatchObject({ kind: "retryable", code: "timeout", attempts: 3 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events.requests).toEqual(["get_proxy timeout", "get_proxy timeout", "get_proxy timeout"]);
  });

  it("a listing gets the longer listing timeout; other calls keep the gateway's", async () => {
    const slow = createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "SUCCESS", resultList: [{ name: "p" }], resultCount: 1 }));
      }, 400);
    });
    servers.push(slow);
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const [gateway] = client(baseUrl, { timeoutMs: 150, listTimeoutMs: 5_000 }, { maxAttempts: 1 });
    expect(await gateway.listProjects()).toEqual([{ name: "p" }]);
    await expect(gateway.getProxy("p", "a")).rejects.toMatchObject({ code: "timeout" });
  });

  it("a caller abort stops the call with the signal's reason and no retry", async () => {
    const server = await stub(["hang"]);
    const [gateway, events] = client(server.baseUrl, { timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("rollout cancelled")), 50);
    await expect(gateway.listProjects({ signal: controller.signal })).rejects.toThrow("rollout cancelled");
    expect(events.requests).toEqual(["list_projects aborted"]);
    expect(events.retries).toEqual([]);
  });

  it("drains error bodies so one connection keeps serving", async () => {
    const big = { error: "bad_request", error_description: "x".repeat(256 * 1024) };
    const server = await stub(Array.from({ length: 6 }, () => ({ status: 400, body: big })));
    const [gateway] = client(server.baseUrl, { connections: 1, timeoutMs: 2_000 });
    for (let i = 0; i < 6; i++) {
      await expect(gateway.getProxy("p", `a${i}`)).rejects.toMatchObject({
        kind: "permanent",
        httpStatus: 400,
      });
    }
    expect(server.seen).toHaveLength(6);
  });

  it("never lets the token into an error, even when the manager echoes it", async () => {
    const echo = `Token ${TOKEN} is not valid!`;
    const server = await stub([
      { status: 401, body: { error: "unauthorized_client", error_description: echo } },
      { status: 200, body: { status: "FAILURE", resultMessage: echo } },
    ]);
    const [gateway] = client(server.baseUrl);
    const errors = [await failureOf(gateway.listProjects()), await failureOf(gateway.listProjects())];
    expect(errors[0]).toMatchObject({ kind: "auth", attempts: 1 });
    for (const error of errors) {
      expect(error).toBeInstanceOf(GatewayError);
      const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${String(error)}`;
      expect(text).not.toContain(TOKEN);
      expect(error.gatewayMessage).toBe("Token [redacted] is not valid!");
    }
  });
});

describe("ApinizerClient endpoint deploy style", () => {
  const deployed = (environmentName: string, success: boolean, message?: string) => ({
    success: true,
    deploymentResult: { success, deploymentResults: [{ environmentName, success, message }] },
  });

  it("PATCHes without deploy fields, then POSTs each environment", async () => {
    const server = await stub((seen) =>
      seen.method === "PATCH"
        ? { body: { success: true } }
        : { body: deployed(decodeURIComponent(seen.url.split("/")[7] ?? ""), true) },
    );
    const [gateway] = client(server.baseUrl, { deployStyle: "endpoint" });
    const result = await gateway.updateSettings("p", "a b", mtlsChange({ enabled: false }), {
      environments: ["test", "prod env"],
    });
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "PATCH /apiops/projects/p/apiProxies/a%20b/settings/mtls/",
      "POST /apiops/projects/p/apiProxies/a%20b/environments/test/",
      "POST /apiops/projects/p/apiProxies/a%20b/environments/prod%20env/",
    ]);
    expect(server.seen[0]?.body).toEqual({ enabled: false });
    expect(result).toEqual({
      attempts: 3,
      httpStatus: 200,
      deployments: [
        { environmentName: "test", success: true },
        { environmentName: "prod env", success: true },
      ],
    });
  });

  it("a failed environment under 200 fails the update, after trying every environment", async () => {
    const server = await stub([
      { body: { success: true } },
      { status: 503 },
      { body: deployed("test", false, "gateway pod down") },
      {
        status: 400,
        body: { error: "bad_request", error_description: "Environment (name: nope) was not found!" },
      },
      { body: deployed("prod", true) },
    ]);
    const [gateway] = client(server.baseUrl, { deployStyle: "endpoint" });
    const error = await failureOf(
      gateway.updateSettings("p", "a", mtlsChange({ enabled: false }), {
        environments: ["test", "nope", "prod"],
      }),
    );
    expect(error).toMatchObject({ kind: "permanent", httpStatus: 200, attempts: 5 });
    expect(error.deployments).toEqual([
      { environmentName: "test", success: false, message: "gateway pod down" },
      { environmentName: "nope", success: false, message: "Environment (name: nope) was not found!" },
      { environmentName: "prod", success: true },
    ]);
    expect(error.gatewayMessage).toBe(
      "deployment failed: test: gateway pod down; nope: Environment (name: nope) was not found!",
    );
  });

  it("deploy() deploys one environment and checks its result", async () => {
    const server = await stub([
      { body: deployed("prod", true) },
      { body: deployed("prod", false, "no pods") },
    ]);
    const [gateway] = client(server.baseUrl);
    expect(await gateway.deploy("p", "a", "prod")).toEqual({
      attempts: 1,
      httpStatus: 200,
      deployments: [{ environmentName: "prod", success: true }],
    });
    await expect(gateway.deploy("p", "a", "prod")).rejects.toMatchObject({
      kind: "permanent",
      gatewayMessage: "deployment failed: prod: no pods",
    });
  });
});
