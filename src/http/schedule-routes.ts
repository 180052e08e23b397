import type { ScheduleService } from "../schedules/schedule-service.js";
import { scheduleBodySchema, scheduleListQuerySchema } from "../schedules/schema.js";
import type { Route } from "./route.js";

/** Compliance sweeps (contract §3.6): admin only, reading included, since they hold rollout bodies. */
export function scheduleRoutes(service: ScheduleService): Route[] {
  return [
    {
      method: "put",
      path: "/v1/schedules/:name",
      role: "admin",
      body: true,
      summary:
        "Create (201) or replace (200) a compliance sweep: {cron | every, timezone, allowFrequent, rollout}; 409 beyond ENFORCER_MAX_SCHEDULES",
      schemas: { body: scheduleBodySchema },
      handle: async ({ params, body, caller }) => {
        const { created, schedule } = await service.put({ name: params.name ?? "", body, caller });
        return {
          status: created ? 201 : 200,
          body: schedule,
          headers: { Location: schedule.links.self },
        };
      },
    },
    {
      method: "get",
      path: "/v1/schedules",
      role: "admin",
      summary:
        "List compliance sweeps with their next run time, in name order (page on with cursor=nextCursor)",
      schemas: { query: scheduleListQuerySchema },
      handle: async ({ query }) => ({ status: 200, body: await service.list(query) }),
    },
    {
      method: "get",
      path: "/v1/schedules/:name",
      role: "admin",
      summary: "Read a compliance sweep: next run time and its last firings with their rollouts' status",
      handle: async ({ params }) => ({ status: 200, body: await service.get(params.name ?? "") }),
    },
    {
      method: "delete",
      path: "/v1/schedules/:name",
      role: "admin",
      summary: "Delete a compliance sweep; it fires no more (its rollouts stay)",
      handle: async ({ params, caller }) => {
        await service.remove(params.name ?? "", caller);
        return { status: 204, body: undefined };
      },
    },
    {
      method: "post",
      path: "/v1/schedules/:name/run",
      role: "admin",
      summary: "Run a compliance sweep now (202 with its rollout; 409 while its last rollout is running)",
      handle: async ({ params, caller }) => {
        const rollout = await service.run(params.name ?? "", caller);
        return {
          status: 202,
          body: { ...rollout, links: { self: rollout.links.self } },
          headers: { Location: rollout.links.self },
        };
      },
    },
  ];
}
