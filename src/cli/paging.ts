import type { Page } from "../contracts/index.js";
import type { Context } from "./context.js";
import { table } from "./format.js";

/** The service's largest page (contract §3: limit 1..1000). */
const PAGE_MAX = 1000;

/**
 * Up to `limit` items, following `nextCursor`. The result is one page of the API's shape, its
 * cursor pointing past the last item taken (null when the list is exhausted).
 */
export async function collectPages<T>(
  fetchPage: (limit: number, cursor: string | undefined) => Promise<Page<T>>,
  limit: number,
): Promise<Page<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(Math.min(PAGE_MAX, limit - items.length), cursor);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && items.length < limit);
  return { items, nextCursor: cursor ?? null };
}

/**
 * A listing on stdout: the page's JSON in --json mode, else its rows as a table under `header`
 * (or `empty` when there are none) and, when the list goes on, how to see more.
 */
export function printPage<T>(
  ctx: Context,
  page: Page<T>,
  listing: { header: string[]; row: (item: T) => string[]; empty: string; more?: string },
): void {
  ctx.printJson(page);
  const rows = page.items.map(listing.row);
  for (const line of rows.length === 0 ? [listing.empty] : table([listing.header, ...rows])) ctx.out(line);
  if (page.nextCursor !== null) ctx.out(listing.more ?? "(more: raise --limit)");
}
