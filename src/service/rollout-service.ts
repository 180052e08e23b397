import type { Caller } from "../config/config.js";
import type { RolloutEngine } from "../engine/engine.js";
import { type ControlAction, isTerminalRollout, refusal } from "../engine/lifecycle.js";
import type { TargetRecord } from "../engine/target-record.js";
import type { ApinizerClient } from "../gateway/client.js";
import type { GatewayConfig } from "../gateway/types.js";
import type { Dispatcher } from "../queue/dispatcher.js";
import {
  listQuerySchema,
  ROLLOUT_ID_PATTERN,
  type RolloutSpec,
  rolloutBodySchema,
  targetQuerySchema,
} from "../rollouts/schema.js";
import { canonicalHash } from "../store/canonical-hash.js";
import { newRolloutId } from "../store/keys.js";
import { newRolloutFields, parseRolloutFields, type RolloutState } from "../store/rollout-fields.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { assertKnownGateway, assertWithinMaxTargets } from "./gateway-check.js";
import { readPhases } from "./phase-view.js";
import { plannedRequests } from "./planned-requests.js";
import { checkPolicy } from "./policy-check.js";
import { type PolicyReader, resolveRolloutPolicy } from "./policy-ref.js";
import { type RecordedPlan, type RolloutView, rolloutView, targetView } from "./rollout-view.js";
import { type Subscribe, watchRollout } from "./rollout-watch.js";
import { notFound, ServiceError } from "./service-error.js";
import { deploymentsReader } from "./target-deployments.js";
import { parseOrThrow } from "./validation.js";

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface RolloutServiceDeps {
  engine: RolloutEngine;
  store: RolloutStore;
  dispatcher: Dispatcher;
  gateways: ReadonlyMap<string, GatewayConfig>;
  clients: ReadonlyMap<string, ApinizerClient>;
  /** Named policies, for requests that give `policyRef`. */
  policies: PolicyReader;
  onCreated: (dryRun: boolean) => void;
  /** ENFORCER_POLICY_STRICT: lint warnings refuse a rollout whose body does not say `strict`. */
  policyStrict?: boolean;
  /** Wakes progress streams on a rollout's events (absent: they re-read periodically). */
  subscribe?: (rolloutId: string, listener: () => void) => () => void;
}

/** The rollout use cases, free of HTTP: each takes plain input and returns plain output. */
export function rolloutService(deps: RolloutServiceDeps) {
  const { store } = deps;

  /** The first rollout of an Idempotency-Key, unless the key came with another body (409). */
  async function replay(existing: string, bodyHash: string) {
    const [firstHash, firstId = ""] = existing.split(" ");
    if (firstHash !== bodyHash) {
      throw new ServiceError("conflict", "this Idempotency-Key was already used with a different body");
    }
    return { created: false, rollout: await view(firstId) };
  }

  async function createFromSpec(
    spec: RolloutSpec,
    caller: Caller,
    action: string,
    key?: string,
    bodyHash = canonicalHash(spec),
  ) {
    const now = Date.now();
    const idempotency = key === undefined ? undefined : store.keys.idempotency(caller.name, key);
    // The key and the rollout share a partition: the create script checks and sets both.
    const id = newRolloutId(now, idempotency?.partition);
    const created = await deps.engine.create(
      id,
      newRolloutFields(spec, caller.name, new Date(now)),
      { actor: caller.name, action },
      idempotency === undefined
        ? undefined
        : { key: idempotency.key, value: `${bodyHash} ${id}`, ttlSeconds: IDEMPOTENCY_TTL_SECONDS },
    );
    if (created.kind === "exists") return replay(created.existing, bodyHash);
    // If this add is lost (crash, Redis blip), the reconciler offers the plan job again.
    await deps.dispatcher.plan(id);
    deps.onCreated(spec.dryRun);
    return { created: true, rollout: await view(id) };
  }

  const viewOf = async (id: string, state: RolloutState, counts: Parameters<typeof rolloutView>[2]) =>
    rolloutView(
      id,
      state,
      counts,
      deps.gateways.get(state.spec.gateway)?.readBack === "full",
      await readPhases(store, state, counts),
    );

  async function view(id: string): Promise<RolloutView> {
    const stored = ROLLOUT_ID_PATTERN.test(id) ? await store.get(id) : undefined;
    if (stored === undefined) throw notFound(`rollout ${id}`);
    return viewOf(id, parseRolloutFields(stored.fields), stored.counts);
  }

  return {
    get: view,

    async create(input: { body: unknown; caller: Caller; idempotencyKey?: string | undefined }) {
      const request = parseOrThrow(rolloutBodySchema, input.body, "rollout");
      assertWithinMaxTargets(
        assertKnownGateway(deps.gateways, request.gateway),
        request.strategy?.maxTargets,
      );
      const key = input.idempotencyKey;
      if (key !== undefined && (key.length === 0 || key.length > 255)) {
        throw new ServiceError("validation_failed", "Idempotency-Key must be 1 to 255 characters", [
          { path: "Idempotency-Key", message: "1 to 255 characters" },
        ]);
      }
      // The key stands for the request as sent: a replay finds the first rollout even after the
      // policy it names changed (or went), so it is looked up before resolving the reference.
      const bodyHash = canonicalHash(request);
      if (key !== undefined && request.policyRef !== undefined) {
        const existing = await store.idempotencyRecord(input.caller.name, key);
        if (existing !== null) return replay(existing, bodyHash);
      }
      const spec = await resolveRolloutPolicy(deps.policies, request);
      // The policy as resolved is what is sent, so it is what lint judges.
      checkPolicy(spec.policy, spec.strict ?? deps.policyStrict ?? false);
      return createFromSpec(spec, input.caller, "create", key, bodyHash);
    },

    /**
     * A new rollout that writes each succeeded target's before-image back, only where the proxy
     * still holds what this rollout wrote (the rest end `skipped` with reason `conflict`).
     */
    async revert(id: string, caller: Caller) {
      const original = await view(id);
      const why =
        deps.gateways.get(original.gateway)?.readBack !== "full"
          ? `gateway ${original.gateway} has no read-back (readBack: "full"), so no before-images were recorded`
          : original.dryRun
            ? "a dry run changed nothing"
            : !isTerminalRollout(original.status)
              ? `the rollout is ${original.status}; pause and cancel it, or let it finish, first`
              : undefined;
      if (why !== undefined) throw new ServiceError("conflict", `cannot revert rollout ${id}: ${why}`);
      const spec: RolloutSpec = {
        gateway: original.gateway,
        policy: original.policy,
        targets: original.targets,
        deploy: original.deploy,
        strategy: original.strategy,
        dryRun: false,
        description: `revert of ${id}`,
        revertOf: id,
      };
      return createFromSpec(spec, caller, "revert", `revert:${id}`);
    },

    async list(query: Record<string, unknown>) {
      const q = parseOrThrow(listQuerySchema, query, "query", "query");
      const items: RolloutView[] = [];
      let cursor = q.cursor;
      let more = true;
      // Status filtering scans newest first, a bounded number of pages per request.
      for (let pages = 0; pages < 10 && more && items.length < q.limit; pages++) {
        const ids = await store.listIds(q.limit, cursor);
        more = ids.length === q.limit;
        const page = await store.getMany(ids);
        for (const [i, id] of ids.entries()) {
          cursor = id;
          const stored = page[i];
          if (stored === undefined) continue;
          const state = parseRolloutFields(stored.fields);
          if (q.status === undefined || state.status === q.status)
            items.push(await viewOf(id, state, stored.counts));
          if (items.length === q.limit) {
            more ||= i < ids.length - 1;
            break;
          }
        }
      }
      return { items, nextCursor: more ? (cursor ?? null) : null };
    },

    async targets(id: string, query: Record<string, unknown>) {
      const q = parseOrThrow(targetQuerySchema, query, "query", "query");
      const rollout = await view(id);
      const from = q.cursor ?? 0;
      const indexes =
        q.status === undefined
          ? Array.from(
              { length: Math.max(0, Math.min(q.limit, rollout.counts.total - from)) },
              (_, i) => from + i,
            )
          : await store.indexesIn(id, q.status, from, Number.MAX_SAFE_INTEGER, q.limit);
      const records = await store.targetsAt(id, indexes, q.status);
      const client = deps.clients.get(rollout.gateway);
      const gateway = deps.gateways.get(rollout.gateway);
      // A dry run shows the requests each planned target would have received.
      const planned = (t: TargetRecord, recorded: RecordedPlan) =>
        client && gateway ? plannedRequests(client, gateway, rollout, t, recorded) : undefined;
      const deployments = await deploymentsReader(store, rollout)?.(indexes);
      const items = records.map(([index, t]) => targetView(index, t, planned, deployments?.get(index)));
      const last = indexes.at(-1);
      const more = indexes.length === q.limit && last !== undefined;
      return { items, nextCursor: more ? String(last + 1) : null };
    },

    async control(id: string, action: ControlAction, caller: Caller) {
      if (!ROLLOUT_ID_PATTERN.test(id)) throw notFound(`rollout ${id}`);
      const reason = action === "cancel" ? `cancelled by ${caller.name}` : `paused by ${caller.name}`;
      // The script itself tells a missing rollout apart: no read before it.
      const result = await deps.engine.control(id, action, caller.name, reason);
      if (!result.ok) {
        if (result.refusal === "missing") throw notFound(`rollout ${id}`);
        const message =
          result.refusal === "no_failed_targets"
            ? "the rollout has no failed targets to retry"
            : refusal(action, result.status ?? "unknown");
        throw new ServiceError("conflict", message);
      }
      // The status changed above; these move targets in bounded steps (the reconciler finishes
      // any a crash cut short).
      if (action === "pause" || action === "cancel") await deps.dispatcher.recall(id);
      if (action === "cancel" || action === "retry") await deps.engine.sweep(id);
      if (result.replan) await deps.dispatcher.plan(id);
      else if (action === "resume" || action === "retry") await deps.dispatcher.offer(id);
      return view(id);
    },

    /** Progress of one rollout: a snapshot on every change, ending with its terminal status. */
    watch(id: string, signal: AbortSignal) {
      const subscribe: Subscribe = (listener) => deps.subscribe?.(id, listener) ?? (() => {});
      return watchRollout(() => view(id), subscribe, signal);
    },
  };
}

export type RolloutService = ReturnType<typeof rolloutService>;
