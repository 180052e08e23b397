import { setTimeout as sleep } from "node:timers/promises";
import type { Rollout } from "../contracts/index.js";
import { isTerminalRollout } from "../engine/lifecycle.js";
import type { ApiClient } from "./api-client.js";
import { readEventStream } from "./event-stream.js";
import { CliError, EXIT } from "./exit-codes.js";

const POLL_INTERVAL_MS = 1000;
/** Polling rides out a service restart (or a rolling deploy of the API) for this long. */
const UNREACHABLE_GRACE_MS = 15_000;

type OnUpdate = (rollout: Rollout) => void;

/** A watch ends here: nothing more happens without a human (paused) or ever (terminal). */
const isSettled = (status: string): boolean => status === "paused" || isTerminalRollout(status);

/**
 * Follows a rollout until it is paused or terminal, calling `onUpdate` on every change: from the
 * event stream while there is one, by polling once the stream is missing or drops.
 */
export async function followRollout(client: ApiClient, id: string, onUpdate: OnUpdate): Promise<Rollout> {
  const first = await client.getRollout(id);
  onUpdate(first);
  if (isSettled(first.status)) return first;
  return (await followStream(client, first, onUpdate)) ?? (await poll(client, id, onUpdate));
}

/** An event's rollout, laid over the last one so a payload with only status and counts still works. */
function parseUpdate(data: string, last: Rollout): Rollout | undefined {
  try {
    const value = JSON.parse(data) as Partial<Rollout>;
    if (typeof value?.status !== "string" || typeof value.counts !== "object") return undefined;
    return { ...last, ...value };
  } catch {
    return undefined;
  }
}

/** The settled rollout, or undefined when the stream is unavailable or ended early. */
async function followStream(
  client: ApiClient,
  first: Rollout,
  onUpdate: OnUpdate,
): Promise<Rollout | undefined> {
  const body = await client.openEvents(first.id);
  if (body === undefined) return undefined;
  let last = first;
  try {
    for await (const message of readEventStream(body)) {
      if (message.event !== "rollout" && message.event !== "end") continue;
      const rollout = parseUpdate(message.data, last);
      if (rollout === undefined) continue;
      last = rollout;
      onUpdate(rollout);
      if (message.event === "end" || isSettled(rollout.status)) return rollout;
    }
  } catch {
    // A reset or an idle timeout: polling picks up from here.
  } finally {
    body.destroy();
  }
  return undefined;
}

async function poll(client: ApiClient, id: string, onUpdate: OnUpdate): Promise<Rollout> {
  let unreachableSince: number | undefined;
  for (;;) {
    await sleep(POLL_INTERVAL_MS);
    let rollout: Rollout;
    try {
      rollout = await client.getRollout(id);
    } catch (error) {
      if (!(error instanceof CliError && error.exitCode === EXIT.unreachable)) throw error;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > UNREACHABLE_GRACE_MS) throw error;
      continue;
    }
    unreachableSince = undefined;
    onUpdate(rollout);
    if (isSettled(rollout.status)) return rollout;
  }
}
