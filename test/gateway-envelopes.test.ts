import { describe, expect, it } from "vitest";
import {
  deploymentOutcomes,
  envelopeMessage,
  isFailureEnvelope,
  isSuccessEnvelope,
  listItems,
  singleItem,
} from "../src/gateway/envelopes.js";

describe("gateway envelopes", () => {
  it("recognises success and failure in both generations", () => {
    expect(isSuccessEnvelope({ success: true })).toBe(true);
    expect(isSuccessEnvelope({ status: "SUCCESS", resultList: [] })).toBe(true);
    expect(isSuccessEnvelope({ success: false })).toBe(false);
    expect(isSuccessEnvelope({ name: "bare object" })).toBe(false);
    expect(isSuccessEnvelope("OK")).toBe(false);
    expect(isFailureEnvelope({ success: false })).toBe(true);
    expect(isFailureEnvelope({ status: "FAILURE", resultMessage: "x" })).toBe(true);
    expect(isFailureEnvelope({ name: "bare object" })).toBe(false);
    expect(isFailureEnvelope([])).toBe(false);
  });

  it("takes the message from error_description, else resultMessage", () => {
    expect(envelopeMessage({ error: "not_found", error_description: "gone" })).toBe("gone");
    expect(envelopeMessage({ status: "FAILURE", resultMessage: "ApiProxy (name: X) was not found!" })).toBe(
      "ApiProxy (name: X) was not found!",
    );
    expect(envelopeMessage({ error_description: "", resultMessage: "second" })).toBe("second");
    expect(envelopeMessage({ error: "rate_limit_exceeded" })).toBeUndefined();
    expect(envelopeMessage("<html>")).toBeUndefined();
  });

  it("reads lists from resultList or a bare array", () => {
    expect(listItems({ status: "SUCCESS", resultList: [{ name: "a" }], resultCount: 1 })).toEqual([
      { name: "a" },
    ]);
    expect(listItems([{ name: "a" }])).toEqual([{ name: "a" }]);
    expect(listItems({ success: true })).toBeUndefined();
  });

  it("reads one object from resultList[0] or the object itself", () => {
    expect(singleItem({ success: true, resultList: [{ name: "a" }] })).toEqual({ name: "a" });
    expect(singleItem({ name: "a", deploymentList: [] })).toEqual({ name: "a", deploymentList: [] });
    expect(singleItem({ status: "SUCCESS", resultList: [] })).toBeUndefined();
    expect(singleItem([{ name: "a" }])).toBeUndefined();
  });

  describe("deployment outcomes", () => {
    const envs = ["test", "production"];

    it("all environments succeeded", () => {
      const body = {
        success: true,
        deploymentResult: {
          success: true,
          deploymentResults: [
            { environmentName: "test", success: true },
            { environmentName: "production", success: true },
          ],
        },
      };
      expect(deploymentOutcomes(body, envs, "failed")).toEqual([
        { environmentName: "test", success: true },
        { environmentName: "production", success: true },
      ]);
    });

    it("names the failed environment and its message (docs' deploymentResults)", () => {
      const body = {
        success: true,
        deploymentResult: {
          success: false,
          deploymentResults: [
            { environmentName: "test", success: true },
            { environmentName: "production", success: false, message: "pod unreachable" },
          ],
        },
      };
      expect(deploymentOutcomes(body, envs, "failed")).toEqual([
        { environmentName: "test", success: true },
        { environmentName: "production", success: false, message: "pod unreachable" },
      ]);
    });

    it("reads the OpenAPI document's detailList/envName/detail form", () => {
      const body = {
        status: "SUCCESS",
        deploymentResult: {
          success: false,
          detailList: [
            { envName: "production", podName: "p-1", success: true },
            { envName: "production", podName: "p-2", success: false, detail: "timeout on p-2" },
          ],
        },
      };
      expect(deploymentOutcomes(body, ["production"], "failed")).toEqual([
        { environmentName: "production", success: false, message: "timeout on p-2" },
      ]);
    });

    it("an overall failure without per-environment entries fails every requested environment", () => {
      const body = { success: true, deploymentResult: { success: false, message: "no gateway pods" } };
      expect(deploymentOutcomes(body, envs, "failed").map((o) => [o.success, o.message])).toEqual([
        [false, "no gateway pods"],
        [false, "no gateway pods"],
      ]);
    });

    it("an overall failure is kept even when the entries contradict it", () => {
      const body = {
        success: true,
        deploymentResult: { success: false, deploymentResults: [{ environmentName: "test", success: true }] },
      };
      expect(deploymentOutcomes(body, ["test"], "failed")).toEqual([
        { environmentName: "test", success: false, message: "deployment failed" },
      ]);
    });

    it("a failure in an environment that was not asked for is still reported", () => {
      const body = {
        success: true,
        deploymentResult: {
          success: true,
          deploymentResults: [{ environmentName: "Production", success: false, message: "case?" }],
        },
      };
      expect(deploymentOutcomes(body, ["production"], "failed")).toEqual([
        { environmentName: "production", success: true },
        { environmentName: "Production", success: false, message: "case?" },
      ]);
    });

    it("a missing deploymentResult fails an inline deploy but not the deploy endpoint", () => {
      expect(deploymentOutcomes({ success: true }, ["test"], "failed")).toEqual([
        { environmentName: "test", success: false, message: "the manager reported no deployment result" },
      ]);
      expect(deploymentOutcomes({ success: true }, ["test"], "succeeded")).toEqual([
        { environmentName: "test", success: true },
      ]);
    });
  });
});
