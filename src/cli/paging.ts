import type { Page } from "../contracts/index.js";

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
