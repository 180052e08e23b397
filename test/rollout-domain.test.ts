import { describe, expect, it } from "vitest";
import { errorBudget, waveBounds } from "../src/rollouts/sizes.js";
import { selectTargets } from "../src/rollouts/target-selection.js";

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
  const listing = [
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
  const select = (targets: Record<string, unknown>, dryRun = false) =>
    selectTargets({ targets: { projects: ["P"], ...targets } as never, dryRun }, listing).map(
      (t) => `${t.proxy}:${t.status}`,
    );

  it("globs match the whole name, case-sensitively, with * crossing '/'", () => {
    expect(select({ include: ["orders*"] })).toEqual([
      "orders-api:pending",
      "orders/v1:pending",
      "orders-ai:skipped",
    ]);
    expect(select({ include: ["*orders*"], exclude: ["legacy-*", "*/*"] })).toEqual([
      ".hidden-orders:pending",
      "orders-api:pending",
      "orders-ai:skipped",
    ]);
    expect(select({ include: ["Orders-*"] })).toEqual(["Orders-API:pending"]);
  });

  it("named proxies must also match the globs; missing names fail", () => {
    expect(select({ proxies: ["orders-api", "nope"], exclude: ["orders-*"] })).toEqual(["nope:failed"]);
  });

  it("a dry run plans instead of pending; AI types are skipped with a reason", () => {
    const [first] = selectTargets(
      { targets: { projects: ["P"], proxies: ["orders-ai"] }, dryRun: true },
      listing,
    );
    expect(first).toMatchObject({
      status: "skipped",
      reason: "proxy type MCP does not support mTLS settings",
    });
    expect(select({ proxies: ["legacy-orders"] }, true)).toEqual(["legacy-orders:planned"]);
  });
});
