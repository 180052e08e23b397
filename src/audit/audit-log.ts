import type { RedisClient } from "../store/redis-client.js";
import { defineScript, luaSource, type RedisScript } from "../store/redis-script.js";

/** What one audit entry records; `at` and `id` come from the stream entry's id. */
export interface AuditRecord {
  /** A caller's name, `schedule:<name>`, or `system` for changes nobody asked for. */
  actor: string;
  /** e.g. `rollout.create`, `rollout.pause`, `rollout.status`, `schedule.put`, `policy.put`. */
  action: string;
  rolloutId?: string | undefined;
  schedule?: string | undefined;
  policy?: string | undefined;
  /** The named policy's version written (or the latest one deleted). */
  version?: number | undefined;
  status?: string | undefined;
  detail?: string | undefined;
}

export interface AuditEntry extends AuditRecord {
  /** The stream id: a cursor for `since`. */
  id: string;
  at: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

const FIELDS = ["actor", "action", "rolloutId", "schedule", "policy", "version", "status", "detail"] as const;
const RECORD_ONCE = luaSource(import.meta.url, "./record-once.lua");
/** How long "this event is recorded" is remembered: far longer than any re-delivery takes. */
const SEEN_TTL_SECONDS = 7 * 24 * 3600;

function flatten(record: AuditRecord): string[] {
  const fields: string[] = [];
  for (const name of FIELDS) {
    const value = record[name];
    if (value !== undefined) fields.push(name, String(value));
  }
  return fields;
}

function toEntry(id: string, flat: string[]): AuditEntry {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? "", flat[i + 1] ?? "");
  const entry: AuditEntry = {
    id,
    at: new Date(Number(id.split("-")[0])).toISOString(),
    actor: fields.get("actor") ?? "",
    action: fields.get("action") ?? "",
  };
  for (const name of FIELDS.slice(2)) {
    const value = fields.get(name);
    if (value === undefined) continue;
    if (name === "version") entry.version = Number(value);
    else entry[name] = value;
  }
  return entry;
}

/**
 * The audit trail: one Redis stream under the prefix, appended with an approximate MAXLEN so
 * retention costs nothing per write (Redis trims whole stream nodes).
 */
export class AuditLog {
  private readonly recordOnceScript: RedisScript<number>;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly maxLen: number,
  ) {
    this.recordOnceScript = defineScript(redis, "enforcerAuditRecordOnce", RECORD_ONCE, 2);
  }

  /** Appends one entry; resolves to its stream id. */
  async record(record: AuditRecord): Promise<string> {
    const id = await this.redis.xadd(this.key, "MAXLEN", "~", this.maxLen, "*", ...flatten(record));
    return id ?? "";
  }

  /** Appends the entry of one outbox event unless it was appended already (at-least-once delivery). */
  async recordOnce(seenKey: string, record: AuditRecord): Promise<boolean> {
    return (
      (await this.recordOnceScript(seenKey, this.key, SEEN_TTL_SECONDS, this.maxLen, ...flatten(record))) ===
      1
    );
  }

  /**
   * Entries oldest first, after the stream id `since` (exclusive, so a page's `nextCursor` continues
   * it) or from the epoch milliseconds `since` (inclusive).
   */
  async list(query: { since?: string | number | undefined; limit: number }): Promise<AuditPage> {
    const start =
      query.since === undefined
        ? "-"
        : typeof query.since === "number"
          ? `${query.since}-0`
          : `(${query.since}`;
    const raw = await this.redis.xrange(this.key, start, "+", "COUNT", query.limit + 1);
    const items = raw.slice(0, query.limit).map(([id, flat]) => toEntry(id, flat));
    const more = raw.length > query.limit;
    return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
  }
}
