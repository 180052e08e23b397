import type { ControlAction } from "../engine/lifecycle.js";
import { listQuerySchema, rolloutBodySchema, targetQuerySchema } from "../rollouts/schema.js";
import type { RolloutService } from "../service/rollout-service.js";
import type { Route } from "./route.js";

const ok = (body: unknown) => ({ status: 200, body });

function controlRoute(service: RolloutService, action: ControlAction, summary: string): Route {
  return {
    method: "post",
    path: `/v1/rollouts/:id/${action}`,
    role: "operator",
    summary,
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
      summary: "Create a rollout (202); the same Idempotency-Key and body return the first one (200)",
      schemas: { body: rolloutBodySchema },
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
      summary: "List rollouts, newest first",
      schemas: { query: listQuerySchema },
      handle: async ({ query }) => ok(await service.list(query)),
    },
    {
      method: "get",
      path: "/v1/rollouts/:id",
      role: "viewer",
      summary: "Read a rollout with its counts",
      handle: async ({ params }) => ok(await service.get(params.id ?? "")),
    },
    {
      method: "get",
      path: "/v1/rollouts/:id/targets",
      role: "viewer",
      summary: "Per-target results, in target order, optionally of one status",
      schemas: { query: targetQuerySchema },
      handle: async ({ params, query }) => ok(await service.targets(params.id ?? "", query)),
    },
    {
      method: "get",
      path: "/v1/rollouts/:id/events",
      role: "viewer",
      eventStream: true,
      summary:
        "Server-sent events: the rollout on every change, ending with its terminal status (429 beyond the caller's open-stream cap)",
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
      summary:
        "A new rollout writing each target's before-image back where nothing changed since (needs read-back)",
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
