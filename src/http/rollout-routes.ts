import { rolloutContract, rolloutPageContract, targetPageContract } from "../contracts/index.js";
import { CONTROL_ACTIONS, type ControlAction } from "../engine/lifecycle.js";
import { listQuerySchema, rolloutBodySchema, targetQuerySchema } from "../rollouts/schema.js";
import type { RolloutService } from "../service/rollout-service.js";
import { json } from "./responses.js";
import type { Route } from "./route.js";

const ok = (body: unknown) => ({ status: 200, body });

const NO_ROLLOUT = "No rollout has this id";

/** A rollout created (202) or returned again (200), with its path. */
const createdOrReplayed = (created: string, replayed: string) => ({
  202: json(created, rolloutContract, ["Location"]),
  200: json(replayed, rolloutContract, ["Location"]),
});

function controlRoute(service: RolloutService, action: ControlAction, summary: string): Route {
  return {
    method: "post",
    path: `/v1/rollouts/:id/${action}`,
    role: "operator",
    operationId: `${action}Rollout`,
    summary,
    responses: { 200: json(`The rollout, now ${CONTROL_ACTIONS[action].to}`, rolloutContract) },
    errors: {
      not_found: NO_ROLLOUT,
      conflict: `The rollout's status does not allow it (allowed when ${CONTROL_ACTIONS[action].from.join(", ")})${action === "retry" ? ", or it has no failed targets" : ""}`,
    },
    handle: async ({ params, caller }) => ok(await service.control(params.id ?? "", action, caller)),
  };
}

export function rolloutRoutes(service: RolloutService): Route[] {
  return [
    {
      method: "post",
      path: "/v1/rollouts",
      role: "operator",
      body: true,
      operationId: "createRollout",
      summary: "Create a rollout (202); the same Idempotency-Key and body return the first one (200)",
      description:
        "Give the policy inline (`policy`) or by name (`policyRef`), never both. The policy is linted first: findings come back as `warnings`, and `strict` (or ENFORCER_POLICY_STRICT) refuses them with a 400. Planning runs in the background: the rollout starts `planning`; follow it with GET .../{id} or .../events.",
      schemas: { body: rolloutBodySchema },
      headers: ["Idempotency-Key"],
      responses: createdOrReplayed(
        "Created; planning starts (links hold only self)",
        "This Idempotency-Key and body were sent before: the first rollout",
      ),
      errors: {
        validation_failed:
          "Also: an unknown gateway or policyRef, maxTargets above ENFORCER_MAX_TARGETS, lint warnings under strict, an Idempotency-Key of more than 255 characters",
        conflict: "This Idempotency-Key was used with another body",
      },
      handle: async ({ body, caller, header }) => {
        const { created, rollout } = await service.create({
          body,
          caller,
          idempotencyKey: header("idempotency-key"),
        });
        return {
          status: created ? 202 : 200,
          body: { ...rollout, links: { self: rollout.links.self } },
          headers: { Location: rollout.links.self },
        };
      },
    },
    {
      method: "get",
      path: "/v1/rollouts",
      role: "viewer",
      operationId: "listRollouts",
      summary: "List rollouts, newest first",
      schemas: { query: listQuerySchema },
      responses: { 200: json("A page of rollouts", rolloutPageContract) },
      handle: async ({ query }) => ok(await service.list(query)),
    },
    {
      method: "get",
      path: "/v1/rollouts/:id",
      role: "viewer",
      operationId: "getRollout",
      summary: "Read a rollout with its counts",
      responses: { 200: json("The rollout", rolloutContract) },
      errors: { not_found: NO_ROLLOUT },
      handle: async ({ params }) => ok(await service.get(params.id ?? "")),
    },
    {
      method: "get",
      path: "/v1/rollouts/:id/targets",
      role: "viewer",
      operationId: "listRolloutTargets",
      summary: "Per-target results, in target order, optionally of one status",
      description:
        "A dry run's planned targets carry the `requests` they would receive and, with read-back, the fields that differ (`changes`).",
      schemas: { query: targetQuerySchema },
      responses: { 200: json("A page of targets", targetPageContract) },
      errors: { not_found: NO_ROLLOUT },
      handle: async ({ params, query }) => ok(await service.targets(params.id ?? "", query)),
    },
    {
      method: "get",
      path: "/v1/rollouts/:id/events",
      role: "viewer",
      eventStream: true,
      operationId: "streamRolloutEvents",
      summary:
        "Server-sent events: the rollout on every change, ending with its terminal status (429 beyond the caller's open-stream cap)",
      description:
        "Starts with `retry: 2000`; then `event: rollout` with the rollout as `data` whenever its status, counts, wave or reasons change, `: heartbeat` comments every 15 s, and `event: end` with the terminal rollout last. A paused rollout keeps the stream open.",
      responses: {
        200: {
          description: "The event stream; each event's data is a Rollout",
          content: { "text/event-stream": rolloutContract },
        },
      },
      errors: {
        not_found: NO_ROLLOUT,
        too_many_requests: "The caller has ENFORCER_MAX_STREAMS_PER_CALLER streams open already",
      },
      handle: async ({ params }) => {
        const id = params.id ?? "";
        await service.get(id); // 404 before the stream starts
        return {
          status: 200,
          headers: {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-transform",
            Connection: "keep-alive",
            // Reverse proxies must pass events through as they come.
            "X-Accel-Buffering": "no",
          },
          stream: async (write, signal) => {
            await write("retry: 2000\n\n");
            let sequence = 0;
            for await (const event of service.watch(id, signal)) {
              if (event.kind === "heartbeat") await write(": heartbeat\n\n");
              else
                await write(
                  `id: ${++sequence}\nevent: ${event.kind}\ndata: ${JSON.stringify(event.rollout)}\n\n`,
                );
            }
          },
        };
      },
    },
    {
      method: "post",
      path: "/v1/rollouts/:id/revert",
      role: "operator",
      operationId: "revertRollout",
      summary:
        "A new rollout writing each target's before-image back where nothing changed since (needs read-back)",
      description:
        "Only where the proxy still holds what the rollout wrote (compare-and-set); a proxy changed since ends `skipped` with reason `conflict`. Reverting the same rollout again returns the first revert (200).",
      responses: createdOrReplayed("The revert rollout, created", "The revert created before"),
      errors: {
        not_found: NO_ROLLOUT,
        conflict:
          "The gateway has no read-back, the rollout was a dry run, or it is still planning, running or paused",
      },
      handle: async ({ params, caller }) => {
        const { created, rollout } = await service.revert(params.id ?? "", caller);
        return { status: created ? 202 : 200, body: rollout, headers: { Location: rollout.links.self } };
      },
    },
    controlRoute(service, "pause", "Pause: in-flight calls finish, no new ones start"),
    controlRoute(service, "resume", "Resume a paused rollout"),
    controlRoute(service, "cancel", "Cancel: every pending target ends cancelled"),
    controlRoute(service, "retry", "Re-queue the failed targets"),
  ];
}
