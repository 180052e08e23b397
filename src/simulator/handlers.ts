// What each served route does once a request got past faults and auth.
import { deploy, deployStatus, markSaved } from "./deployments.js";
import { failure, list, notFound, ok, type Reply, single, success } from "./envelopes.js";
import { type Fleet, isAiType, type ProjectEntry, type ProxyEntry, permanentFailureOf } from "./fleet.js";
import { fullProxy, proxyDetail, proxySummary } from "./proxy-views.js";
import type { RouteName } from "./routes.js";
import { mergeSettings, parseSettingsBody } from "./sections/body.js";
import { type AnyKeyedSection, SECTIONS, type SectionKey } from "./sections/catalog.js";
import type { Flavour } from "./types.js";

export interface HandlerContext {
  flavour: Flavour;
  fleet: Fleet;
  /** Decoded path parameters, named as in the openapi templates. */
  params: Record<string, string>;
  body: string;
}

type Handler = (ctx: HandlerContext) => Reply;

function findProject(ctx: HandlerContext): ProjectEntry | Reply {
  const name = ctx.params.projectName ?? "";
  return (
    ctx.fleet.projectsByName.get(name) ?? notFound(ctx.flavour, `Project (name: ${name}) was not found!`)
  );
}

function findProxy(ctx: HandlerContext): { project: ProjectEntry; proxy: ProxyEntry } | Reply {
  const project = findProject(ctx);
  if ("status" in project) return project;
  const name = ctx.params.apiProxyName ?? "";
  const proxy = project.proxiesByName.get(name);
  return proxy ? { project, proxy } : notFound(ctx.flavour, `ApiProxy (name: ${name}) was not found!`);
}

/** PATCH .../settings/<segment>/: body checks, then the proxy's own refusals, then the save and deploy. */
function updateSection(section: AnyKeyedSection): Handler {
  return (ctx) => {
    const parsed = parseSettingsBody(section, ctx.flavour, ctx.body);
    if (!parsed.ok) return failure(ctx.flavour, 400, parsed.message);
    const found = findProxy(ctx);
    if ("status" in found) return found;
    const { project, proxy } = found;
    if (section.aiRefusal !== undefined && isAiType(proxy.type)) {
      return failure(ctx.flavour, 400, section.aiRefusal);
    }
    const refusal = permanentFailureOf(proxy, section.key);
    if (refusal !== undefined) return failure(ctx.flavour, 400, refusal);
    const merged = mergeSettings(section, ctx.flavour, proxy.settings[section.key], parsed.value);
    if (!merged.ok) return failure(ctx.flavour, 400, merged.message);
    if (!proxy.losesWrites) proxy.settings[section.key] = merged.value;
    proxy.patchCounts[section.key]++;
    markSaved(proxy);
    if (!parsed.value.deploy) return success(ctx.flavour);
    return success(ctx.flavour, { deploymentResult: deploy(project, proxy, parsed.value.deployTo) });
  };
}

const SECTION_HANDLERS = Object.fromEntries(
  SECTIONS.map((section) => [section.key, updateSection(section)]),
) as Record<SectionKey, Handler>;

function deployOne(ctx: HandlerContext): Reply {
  const found = findProxy(ctx);
  if ("status" in found) return found;
  const deploymentResult = deploy(found.project, found.proxy, [ctx.params.environmentName ?? ""]);
  return success(ctx.flavour, { deploymentResult });
}

/** The published document's `ApiOpsResponseDeployStatus` (a one-item result list), in both generations. */
function deployStatusOf(ctx: HandlerContext): Reply {
  const found = findProxy(ctx);
  if ("status" in found) return found;
  const environment = ctx.params.environmentName ?? "";
  const status = deployStatus(found.proxy, environment);
  if (status === undefined) {
    return failure(
      ctx.flavour,
      400,
      `Environment (name: ${environment}) was not found in project ${found.project.name}!`,
    );
  }
  return list([status]);
}

export const HANDLERS: Record<RouteName, Handler> = {
  healthcheck: ok,
  hello: (ctx) => ({ status: 200, body: `hello ${ctx.params.name ?? ""}`, plainText: true }),
  projects: (ctx) => list(ctx.fleet.projects.map(({ name, description }) => ({ name, description }))),
  proxies: (ctx) => {
    const project = findProject(ctx);
    return "status" in project ? project : list(project.proxies.map(proxySummary));
  },
  proxy: (ctx) => {
    const found = findProxy(ctx);
    return "status" in found ? found : single(ctx.flavour, proxyDetail(found.proxy));
  },
  "proxy full": (ctx) => {
    const found = findProxy(ctx);
    return "status" in found ? found : single(ctx.flavour, fullProxy(found.proxy));
  },
  ...SECTION_HANDLERS,
  deploy: deployOne,
  "deploy status": deployStatusOf,
};
