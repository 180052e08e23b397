import { rolloutContract, scheduleContract, schedulePageContract } from "../contracts/index.js";
import type { ScheduleService } from "../schedules/schedule-service.js";
import { scheduleBodySchema, scheduleListQuerySchema } from "../schedules/schema.js";
import { json, noContent } from "./responses.js";
import type { Route } from "./route.js";

const NO_SCHEDULE = "No schedule has this name";
const BAD_NAME = "The name is not letters, digits, - and _ (at most 64)";

/** Compliance sweeps (contract §3.6): admin only, reading included, since they hold rollout bodies. */
export function scheduleRoutes(service: ScheduleService): Route[] {
  return [
    {
      method: "put",
      path: "/v1/schedules/:name",
      role: "admin",
      body: true,
      operationId: "putSchedule",
      summary:
        "Create (201) or replace (200) a compliance sweep: {cron | every, timezone, allowFrequent, rollout}; 409 beyond ENFORCER_MAX_SCHEDULES",
      description:
        "The rollout body is checked as a rollout would be (gateway, policyRef, lint), so a sweep that every firing would refuse is refused now. Its next slots follow the new definition.",
      schemas: { body: scheduleBodySchema },
      responses: {
        201: json("Created", scheduleContract, ["Location"]),
        200: json("Replaced", scheduleContract, ["Location"]),
      },
      errors: {
        validation_failed: `Also: ${BAD_NAME.toLowerCase()}; it fires more often than ENFORCER_SCHEDULE_MIN_INTERVAL_SECONDS without allowFrequent; an unknown gateway or policyRef`,
        conflict: "There are ENFORCER_MAX_SCHEDULES schedules already",
      },
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
      operationId: "listSchedules",
      summary:
        "List compliance sweeps with their next run time, in name order (page on with cursor=nextCursor)",
      schemas: { query: scheduleListQuerySchema },
      responses: { 200: json("A page of schedules", schedulePageContract) },
      handle: async ({ query }) => ({ status: 200, body: await service.list(query) }),
    },
    {
      method: "get",
      path: "/v1/schedules/:name",
      role: "admin",
      operationId: "getSchedule",
      summary: "Read a compliance sweep: next run time and its last firings with their rollouts' status",
      responses: { 200: json("The schedule with its last firings", scheduleContract) },
      errors: { validation_failed: BAD_NAME, not_found: NO_SCHEDULE },
      handle: async ({ params }) => ({ status: 200, body: await service.get(params.name ?? "") }),
    },
    {
      method: "delete",
      path: "/v1/schedules/:name",
      role: "admin",
      operationId: "deleteSchedule",
      summary: "Delete a compliance sweep; it fires no more (its rollouts stay)",
      responses: { 204: noContent("Deleted") },
      errors: {
        validation_failed: BAD_NAME,
        not_found: NO_SCHEDULE,
        conflict: "It is firing right now: try again",
      },
      handle: async ({ params, caller }) => {
        await service.remove(params.name ?? "", caller);
        return { status: 204, body: undefined };
      },
    },
    {
      method: "post",
      path: "/v1/schedules/:name/run",
      role: "admin",
      operationId: "runSchedule",
      summary: "Run a compliance sweep now (202 with its rollout; 409 while its last rollout is running)",
      responses: {
        202: json("The rollout it created (links hold only self)", rolloutContract, ["Location"]),
      },
      errors: {
        validation_failed: BAD_NAME,
        not_found: NO_SCHEDULE,
        conflict:
          "Its last rollout is still running (the firing is recorded as skipped), or it is firing right now",
      },
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
