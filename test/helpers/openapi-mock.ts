// An Apinizer manager built from its published OpenAPI document alone, independent of the
// simulator: every request is checked against the document (path, method, body per the schemas,
// unknown fields refused) and recorded with its violations; deployments answer what a test says.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type MatchedOperation, type OpenApiDocument, OpenApiValidator } from "./openapi-validator.js";

export interface DeployCall {
  project: string;
  proxy: string;
  environment: string;
}

/** What the mock knows of a proxy in an environment; a settings PATCH makes deployed ones need a redeploy. */
export interface TrackedDeployment {
  deployed: boolean;
  redeployRequired: boolean;
  revision: number;
  lastDeployTime?: string;
}

export interface MockAnswers {
  /** The deploy endpoint's `deploymentResult`; `undefined` leaves it out of the answer. */
  deploymentResult(call: DeployCall): unknown;
  /** The deploy-status DTO (`ApiProxyDeployStatusDTO`) answered for a call. */
  deployStatus(call: DeployCall, tracked: TrackedDeployment): unknown;
}

export interface OpenApiMockOptions {
  token?: string;
  /** Project name → its proxies' names (all REST). */
  fleet?: Record<string, string[]>;
  /** Environments of every project; default test and production, every proxy deployed to each. */
  environments?: string[];
  /**
   * A body field the document does not define: `refuse` (400, the default) or `ignore` (recorded
   * as a violation, then dropped, as Spring's JSON binding does by default).
   */
  unknownFields?: "refuse" | "ignore";
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId?: string;
  body?: unknown;
  violations: string[];
}

export interface OpenApiMock {
  url: string;
  requests: RecordedRequest[];
  /** Replace either to script the manager's answers; `reset()` restores the defaults. */
  answers: MockAnswers;
  /** Every violation seen so far, as `METHOD path: what`. */
  violations(): string[];
  tracked(project: string, proxy: string, environment: string): TrackedDeployment | undefined;
  reset(): void;
  close(): Promise<void>;
}

/** A deployment result in the document's shape: the environment, and one pod under it. */
export function publishedDeployment(environment: string, success = true, detail = "deployed") {
  return {
    envName: environment,
    success,
    detail,
    detailList: [{ envName: environment, podName: "gateway-0", success, detail }],
  };
}

const defaultAnswers = (): MockAnswers => ({
  deploymentResult: (call) => publishedDeployment(call.environment),
  deployStatus: (_call, tracked) => ({ ...tracked }),
});

interface Reply {
  status: number;
  body: unknown;
}

const failure = (status: number, resultMessage: string): Reply => ({
  status,
  body: { status: "FAILURE", resultMessage },
});
const success = (extra: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: { status: "SUCCESS", ...extra },
});
const list = (items: unknown[]): Reply => success({ resultList: items, resultCount: items.length });
const isUnknownField = (violation: string) => violation.endsWith("is not in the document's schema");

export async function startOpenApiMock(
  document: OpenApiDocument,
  options: OpenApiMockOptions = {},
): Promise<OpenApiMock> {
  const validator = new OpenApiValidator(document);
  const fleet = options.fleet ?? { Payments: ["orders", "refunds"] };
  const environments = options.environments ?? ["test", "production"];
  const requests: RecordedRequest[] = [];
  let state = new Map<string, TrackedDeployment>();
  const key = (project: string, proxy: string, environment: string) => `${project}\0${proxy}\0${environment}`;
  const deployedAtStart = () =>
    new Map(
      Object.entries(fleet).flatMap(([project, proxies]) =>
        proxies.flatMap((proxy) =>
          environments.map((env) => [
            key(project, proxy, env),
            { deployed: true, redeployRequired: false, revision: 1 },
          ]),
        ),
      ),
    );
  state = deployedAtStart();

  const mock: OpenApiMock = {
    url: "",
    requests,
    answers: defaultAnswers(),
    violations: () => requests.flatMap((r) => r.violations.map((v) => `${r.method} ${r.path}: ${v}`)),
    tracked: (project, proxy, environment) => state.get(key(project, proxy, environment)),
    reset() {
      requests.length = 0;
      state = deployedAtStart();
      mock.answers = defaultAnswers();
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  function proxyOf(op: MatchedOperation): Reply | { project: string; proxy: string } {
    const { projectName = "", apiProxyName = "" } = op.params;
    const proxies = fleet[projectName];
    if (proxies === undefined) return failure(400, `Project (name: ${projectName}) was not found!`);
    if (!proxies.includes(apiProxyName))
      return failure(400, `ApiProxy (name: ${apiProxyName}) was not found!`);
    return { project: projectName, proxy: apiProxyName };
  }

  function deployCall(op: MatchedOperation): Reply | { call: DeployCall; tracked: TrackedDeployment } {
    const found = proxyOf(op);
    if ("status" in found) return found;
    const environment = op.params.environmentName ?? "";
    const tracked = state.get(key(found.project, found.proxy, environment));
    if (tracked === undefined) return failure(400, `Environment (name: ${environment}) was not found!`);
    return { call: { ...found, environment }, tracked };
  }

  function handle(op: MatchedOperation): Reply {
    if (op.operationId === "find_3") return list(Object.keys(fleet).map((name) => ({ name })));
    if (op.operationId === "listApiProxiesOfProject_1") {
      const proxies = fleet[op.params.projectName ?? ""];
      if (proxies === undefined)
        return failure(400, `Project (name: ${op.params.projectName}) was not found!`);
      return list(proxies.map((name) => ({ name, type: "REST" })));
    }
    if (op.method === "PATCH" && op.template.includes("/settings/")) {
      const found = proxyOf(op);
      if ("status" in found) return found;
      // Saved, not live: every environment it runs in now needs a redeploy.
      for (const env of environments) {
        const tracked = state.get(key(found.project, found.proxy, env));
        if (tracked?.deployed) tracked.redeployRequired = true;
      }
      return success();
    }
    if (op.operationId === "deployApiProxy") {
      const found = deployCall(op);
      if ("status" in found) return found;
      Object.assign(found.tracked, {
        deployed: true,
        redeployRequired: false,
        revision: found.tracked.revision + 1,
        lastDeployTime: new Date().toISOString(),
      });
      const deploymentResult = mock.answers.deploymentResult(found.call);
      return success(deploymentResult === undefined ? {} : { deploymentResult });
    }
    if (op.operationId === "getApiProxyDeployStatus") {
      const found = deployCall(op);
      if ("status" in found) return found;
      return list([mock.answers.deployStatus(found.call, { ...found.tracked })]);
    }
    return failure(501, `${op.operationId} is documented but not served by this mock`);
  }

  function answer(req: IncomingMessage, text: string): Reply | "OK" {
    const method = req.method ?? "";
    const path = req.url ?? "";
    const checked = validator.check(method, path, req.headers["content-type"], text);
    const recorded: RecordedRequest = { method, path, violations: checked.violations };
    if (checked.operation) recorded.operationId = checked.operation.operationId;
    if (checked.body !== undefined) recorded.body = checked.body;
    requests.push(recorded);
    const op = checked.operation;
    if (op === undefined) return failure(404, checked.violations.join("; "));
    if (op.operationId === "health") return "OK";
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return failure(401, "Token is not valid!");
    }
    // The token check: the document's "hello" answers an authorised caller with text.
    if (op.operationId === "hello") return "OK";
    const refused = checked.violations.filter(
      (v) => options.unknownFields !== "ignore" || !isUnknownField(v),
    );
    if (refused.length > 0) return failure(400, refused.join("; "));
    return handle(op);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => {
      const reply = answer(req, text);
      if (reply === "OK") {
        res.writeHead(200, { "content-type": "text/plain" }).end("OK");
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return mock;
}
