import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Router } from "express";
import type { Queues } from "../queue/queues.js";

export const QUEUE_BOARD_PATH = "/admin/queues";

/** Bull Board over this deployment's queues (read-only: jobs are driven by the rollout API). */
export function queueBoard(queues: Queues): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter: adapter,
  });
  return adapter.getRouter() as Router;
}
