import { Pool } from "undici";

/**
 * The same PATCHes a rollout sends, from a bare concurrent loop: no queue, no Redis, no bookkeeping.
 * What the pipeline costs is the gap between this and the end-to-end rate.
 */
export async function bareLoop(
  baseUrl: string,
  token: string,
  targets: Array<{ project: string; proxy: string }>,
  body: unknown,
  concurrency: number,
): Promise<{ seconds: number; ok: number }> {
  const pool = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
  const payload = JSON.stringify(body);
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < targets.length; i = next++) {
        const t = targets[i];
        if (t === undefined) break;
        const res = await pool.request({
          method: "PATCH",
          path: `/apiops/projects/${encodeURIComponent(t.project)}/apiProxies/${encodeURIComponent(t.proxy)}/settings/mtls/`,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: payload,
        });
        await res.body.dump();
        if (res.statusCode === 200) ok++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { seconds, ok };
}
