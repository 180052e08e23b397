// The strict reading of deployment answers: an environment is deployed only when the answer
// positively says so; every way of leaving it out fails it with a message naming what was missing.
import { describe, expect, it } from "vitest";
import { deploymentOutcomes } from "../src/gateway/deployment-result.js";

const envs = ["test", "production"];
const answer = (deploymentResult: unknown) => ({ status: "SUCCESS", deploymentResult });

describe("deployment outcomes: what counts as deployed", () => {
  it("every environment named with success: true (the prose docs' deploymentResults)", () => {
    const body = answer({
      success: true,
      deploymentResults: [
        { environmentName: "test", success: true },
        { environmentName: "production", success: true },
      ],
    });
    expect(deploymentOutcomes(body, envs, "inline")).toEqual([
      { environmentName: "test", success: true },
      { environmentName: "production", success: true },
    ]);
  });

  it("the OpenAPI document's detailList/envName form, with pods nested under their environment", () => {
    const body = answer({
      success: true,
      detailList: [
        { envName: "test", success: true, detailList: [{ podName: "t-1", success: true }] },
        { envName: "production", podName: "p-1", success: true },
      ],
    });
    expect(deploymentOutcomes(body, envs, "inline").every((o) => o.success)).toBe(true);
  });

  it("a result that names the one environment itself (envName at the top)", () => {
    const body = answer({ envName: "production", success: true, detail: "deployed" });
    expect(deploymentOutcomes(body, ["production"], "endpoint")).toEqual([
      { environmentName: "production", success: true },
    ]);
  });

  it("on the deploy endpoint, an overall success: true without entries deploys that one environment", () => {
    for (const result of [{ success: true }, { success: true, detailList: [] }]) {
      expect(deploymentOutcomes(answer(result), ["production"], "endpoint")).toEqual([
        { environmentName: "production", success: true },
      ]);
    }
  });

  it("on the deploy endpoint, unnamed entries are that environment's, and must all succeed", () => {
    const ok = answer({ success: true, detailList: [{ podName: "p-1", success: true }] });
    expect(deploymentOutcomes(ok, ["production"], "endpoint")[0]?.success).toBe(true);
    const podDown = answer({
      success: true,
      detailList: [
        { podName: "p-1", success: true },
        { podName: "p-2", success: false, detail: "p-2 unreachable" },
      ],
    });
    expect(deploymentOutcomes(podDown, ["production"], "endpoint")).toEqual([
      { environmentName: "production", success: false, message: "p-2 unreachable" },
    ]);
  });
});

describe("deployment outcomes: every answer that does not say so fails the environment", () => {
  const notConfirmed = (environmentName: string, why: string) => ({
    environmentName,
    success: false,
    message: `not confirmed: ${why}`,
  });

  it("a requested environment the result does not name", () => {
    const body = answer({ success: true, detailList: [{ envName: "test", success: true }] });
    expect(deploymentOutcomes(body, envs, "inline")).toEqual([
      { environmentName: "test", success: true },
      notConfirmed("production", "the deployment result does not name production (it names test)"),
    ]);
  });

  it("an entry without success (or with a success that is not true)", () => {
    for (const success of [undefined, "true", 1, null]) {
      const body = answer({ success: true, detailList: [{ envName: "production", success }] });
      expect(deploymentOutcomes(body, ["production"], "endpoint")).toEqual([
        notConfirmed("production", 'the deployment result\'s entry for production has no "success": true'),
      ]);
    }
  });

  it("one pod of the environment without success, beside one that succeeded", () => {
    const body = answer({
      success: true,
      detailList: [
        { envName: "production", podName: "p-1", success: true },
        { envName: "production", podName: "p-2" },
      ],
    });
    expect(deploymentOutcomes(body, ["production"], "inline")[0]?.success).toBe(false);
  });

  it("an empty deploymentResult {}", () => {
    for (const via of ["inline", "endpoint"] as const) {
      expect(deploymentOutcomes(answer({}), ["production"], via)).toEqual([
        notConfirmed("production", "the deployment result names no environment and reports no success"),
      ]);
    }
  });

  it("a result naming an unknown environment (a case mismatch included)", () => {
    const body = answer({ success: true, detailList: [{ envName: "Production", success: true }] });
    expect(deploymentOutcomes(body, ["production"], "endpoint")).toEqual([
      notConfirmed("production", "the deployment result does not name production (it names Production)"),
    ]);
  });

  it("an overall success: true without entries, on an inline deploy", () => {
    expect(deploymentOutcomes(answer({ success: true }), ["production"], "inline")).toEqual([
      notConfirmed("production", "the deployment result names no environment, only an overall success"),
    ]);
  });

  it("no deploymentResult at all, or one that is not an object, on either style", () => {
    for (const body of [
      { success: true },
      answer(true),
      answer([{ envName: "production", success: true }]),
    ]) {
      expect(deploymentOutcomes(body, ["production"], "endpoint")).toEqual([
        {
          environmentName: "production",
          success: false,
          message: "the manager reported no deployment result",
        },
      ]);
      expect(deploymentOutcomes(body, ["production"], "inline")[0]).toMatchObject({
        success: false,
        message: expect.stringMatching(
          /^the manager reported no deployment result \(.*deployStyle "endpoint"\)$/,
        ),
      });
    }
  });
});

describe("deployment outcomes: failures", () => {
  it("names the failed environment and its message", () => {
    const body = answer({
      success: false,
      deploymentResults: [
        { environmentName: "test", success: true },
        { environmentName: "production", success: false, message: "pod unreachable" },
      ],
    });
    expect(deploymentOutcomes(body, envs, "inline")).toEqual([
      { environmentName: "test", success: true },
      { environmentName: "production", success: false, message: "pod unreachable" },
    ]);
  });

  it("one failed pod fails its environment", () => {
    const body = answer({
      success: false,
      detailList: [
        { envName: "production", podName: "p-1", success: true },
        { envName: "production", podName: "p-2", success: false, detail: "timeout on p-2" },
      ],
    });
    expect(deploymentOutcomes(body, ["production"], "inline")).toEqual([
      { environmentName: "production", success: false, message: "timeout on p-2" },
    ]);
  });

  it("an overall failure without entries fails every requested environment", () => {
    const body = answer({ success: false, detail: "no gateway pods" });
    expect(deploymentOutcomes(body, envs, "inline").map((o) => [o.success, o.message])).toEqual([
      [false, "no gateway pods"],
      [false, "no gateway pods"],
    ]);
  });

  it("an overall failure is kept even when the entries contradict it", () => {
    const body = answer({ success: false, deploymentResults: [{ environmentName: "test", success: true }] });
    expect(deploymentOutcomes(body, ["test"], "inline")).toEqual([
      { environmentName: "test", success: false, message: "deployment failed" },
    ]);
  });

  it("a failure in an environment that was not asked for is reported too, once", () => {
    const body = answer({
      success: true,
      detailList: [
        { envName: "production", success: true },
        { envName: "staging", podName: "s-1", success: false, detail: "s-1 down" },
        { envName: "staging", podName: "s-2", success: false, detail: "s-2 down" },
      ],
    });
    expect(deploymentOutcomes(body, ["production"], "inline")).toEqual([
      { environmentName: "production", success: true },
      { environmentName: "staging", success: false, message: "s-1 down" },
    ]);
  });
});
