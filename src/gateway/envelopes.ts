// Reading both generations of the manager's response envelopes (older `success`/`error_description`,
// newer `status`/`resultMessage`/`resultList`), so the rest of the client never looks at raw bodies.

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** `success: true` or `status: "SUCCESS"`: what a write must answer to count as done. */
export function isSuccessEnvelope(body: unknown): boolean {
  return isObject(body) && (body.success === true || body.status === "SUCCESS");
}

/** `success: false` or `status: "FAILURE"`: a failure even under HTTP 200. */
export function isFailureEnvelope(body: unknown): boolean {
  return isObject(body) && (body.success === false || body.status === "FAILURE");
}

/** The manager's own words: `error_description` (older) or `resultMessage` (newer). */
export function envelopeMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  return text(body.error_description) ?? text(body.resultMessage);
}

/** Items of a list answer: `resultList`, or a bare array. Undefined when the body is neither. */
export function listItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (isObject(body) && Array.isArray(body.resultList)) return body.resultList;
  return undefined;
}

/** One object answer: newer managers wrap it as `resultList[0]`, older ones send the object itself. */
export function singleItem(body: unknown): JsonObject | undefined {
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.resultList)) {
    const first = body.resultList[0];
    return isObject(first) ? first : undefined;
  }
  return body;
}
