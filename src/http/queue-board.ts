import express, { type Router } from "express";
import type { Queues } from "../queue/queues.js";

export const QUEUE_BOARD_PATH = "/admin/queues";

/** Bull Board over this deployment's queues (read-only: jobs are driven by the rollout API). */
async function createBoard(queues: Queues): Promise<Router> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/express"),
  ]);
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter: adapter,
  });
  return adapter.getRouter() as Router;
}

/**
 * The board is loaded on its first request: its modules are about a third of the API's start-up
 * time, for a page an admin opens now and then.
 */
export function queueBoard(queues: Queues): Router {
  let board: Promise<Router> | undefined;
  const router = express.Router();
  router.use((req, res, next) => {
    board ??= createBoard(queues);
    board.then((loaded) => loaded(req, res, next), next);
  });
  return router;
}
