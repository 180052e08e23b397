import { describe, expect, it } from "vitest";
import {
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
});
