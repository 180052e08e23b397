import { describe, expect, it } from "vitest";
import { errorBudget, waveBounds } from "../src/rollouts/sizes.js";
import { type ProjectListing, selectTargets } from "../src/rollouts/target-selection.js";

describe("waves", () => {
  it.each([
    [undefined, 10, [10]],
    [[1, "10%", "100%"], 200, [1, 20, 200]],
    [[1, 5, "20%"], 10, [1, 5, 10]],
    [[5, "10%"], 100, [5, 10, 100]],
    [["50%"], 3, [2, 3]],
    [[1, "1%"], 50, [1, 50]],
    [[100], 10, [10]],
    [[1], 0, [0]],
  ])("waves %o over %i targets end at %o", (waves, count, bounds) => {
    expect(waveBounds(waves as never, count)).toEqual(bounds);
  });
});

describe("error budget: the rollout pauses once failures exceed it", () => {
  it.each([
    [undefined, 100, 0],
    [0, 100, 0],
    [3, 100, 3],
    ["5%", 30, 1],
    ["5%", 200, 10],
    ["0%", 200, 0],
    ["100%", 7, 7],
  ])("maxErrors %o of %i tolerates %i", (maxErrors, total, budget) => {
    expect(errorBudget(maxErrors as never, total)).toBe(budget);
  });
});

describe("target selection", () => {
  const listing: ProjectListing[] = [
    {
      project: "P",
      proxies: [
        { name: "orders/v1", type: "REST" },
        { name: "Orders-API", type: "REST" },
        { name: "orders-api", type: "SOAP" },
        { name: "orders-ai", type: "MCP" },
        { name: "legacy-orders", type: "REST" },
        { name: ".hidden-orders", type: "GRPC" },
      ],
    },
  ];
  const MTLS = { mtls: { hostnameVerifierType: "STRICT" } };
  const select = async (targets: Record<string, unknown>, dryRun = false, listings = listing) =>
    (
      await selectTargets(
        { policy: MTLS, targets: { projects: ["P"], ...targets } as never, dryRun },
        listings,
      )
    ).map((t) => `${t.proxy}:${t.status}`);

  it("globs match the whole name, case-sensitively, with * crossing '/'", async () => {
    expect(await select({ include: ["orders*"] })).toEqual([
      "orders-api:pending",
      "orders/v1:pending",
      "orders-ai:skipped",
    ]);
    expect(await select({ include: ["*orders*"], exclude: ["legacy-*", "*/*"] })).toEqual([
      ".hidden-orders:pending",
      "orders-api:pending",
      "orders-ai:skipped",
    ]);
    expect(await select({ include: ["Orders-*"] })).toEqual(["Orders-API:pending"]);
  });

  it("named proxies must also match the globs; missing names fail", async () => {
    expect(await select({ proxies: ["orders-api", "nope"], exclude: ["orders-*"] })).toEqual(["nope:failed"]);
  });

  it("a dry run plans instead of pending; AI types are skipped with a reason", async () => {
    const [first] = await selectTargets(
      { policy: MTLS, targets: { projects: ["P"], proxies: ["orders-ai"] }, dryRun: true },
      listing,
    );
    expect(first).toMatchObject({
      status: "skipped",
      reason: "proxy type MCP does not support mTLS settings",
    });
    expect(await select({ proxies: ["legacy-orders"] }, true)).toEqual(["legacy-orders:planned"]);
  });

  it("a (project, proxy) pair listed twice is one target", async () => {
    const twice = [...listing, { project: "P", proxies: [{ name: "orders/v1" }, { name: "orders/v1" }] }];
    expect(await select({ include: ["orders/*"] }, false, twice)).toEqual(["orders/v1:pending"]);
  });

  it("a name with a lone surrogate is a failed target, stored well-formed, never sent", async () => {
    const broken = [
      { project: "P", proxies: [{ name: "orders-\uD800" }, { name: "orders-ok" }] },
      { project: "Q\uDC00", proxies: [] },
    ];
    const targets = await selectTargets(
      { policy: MTLS, targets: { projects: ["*"], include: ["orders-*"] }, dryRun: false },
      broken,
    );
    expect(targets).toEqual([
      { project: "P", proxy: "orders-ok", status: "pending" },
      {
        project: "P",
        proxy: "orders-\uFFFD",
        status: "failed",
        error: {
          message: "proxy name is not well-formed Unicode (lone surrogate); it cannot be addressed in a URL",
        },
      },
      {
        project: "Q\uFFFD",
        proxy: "*",
        status: "failed",
        error: {
          message:
            "project name is not well-formed Unicode (lone surrogate); it cannot be addressed in a URL",
        },
      },
    ]);
    // Outside the globs, a broken proxy name is not selected at all.
    expect(await select({ include: ["legacy-*"] }, false, broken.slice(0, 1))).toEqual([]);
  });

  it("selecting from a large fleet yields to the event loop", async () => {
    const proxies = Array.from({ length: 200_000 }, (_, i) => ({ name: `proxy-${i}` }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const targets = await selectTargets(
      {
        policy: MTLS,
        targets: { projects: ["P"], include: ["*a*b*c*d*e*f*g*h*"], exclude: ["*1*2*3*"] },
        dryRun: false,
      },
      [{ project: "P", proxies }],
    );
    clearInterval(timer);
    expect(targets).toEqual([]);
    expect(ticks).toBeGreaterThan(0);
  });
});
