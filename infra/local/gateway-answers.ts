import type { HttpApiResult } from "../../shared/http/event";

// The answers API Gateway (HTTP API) makes itself, in its own shape `{"message": ...}` rather than the contract's
// error shape, and the limits that lead to them. The local host answers exactly these, so that a client sees here
// what it will see in AWS.

/** API Gateway refuses request bodies over 10 MB before any Lambda runs. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * Lambda's limit on a synchronous invocation's response, 6 MB: the runtime refuses a larger serialized result
 * ("Exceeded maximum allowed payload size (6291556 bytes)"), and API Gateway then answers 500.
 */
export const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

function gatewayAnswer(statusCode: number, message: string): HttpApiResult {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) };
}

export const gatewayAnswers = {
  /** The JWT authorizer refused a missing, malformed, expired or forged token. */
  unauthorized: () => gatewayAnswer(401, "Unauthorized"),
  requestTooLarge: () => gatewayAnswer(413, "Request Entity Too Large"),
  /** The function threw, ran past its timeout, or answered more than Lambda's response limit. */
  internalServerError: () => gatewayAnswer(500, "Internal Server Error"),
};
