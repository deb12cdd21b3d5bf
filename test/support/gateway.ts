import { expect } from "vitest";
import type { AnyAnswer } from "./api/client";

/** API Gateway's own answers (its shape, not the contract's error shape), as the local host plays them. */
export const gatewayBodies = {
  unauthorized: { message: "Unauthorized" },
  requestTooLarge: { message: "Request Entity Too Large" },
  internalServerError: { message: "Internal Server Error" },
} as const;

/** The JWT authorizer's refusal on a protected route: 401 `{"message":"Unauthorized"}`. */
export function expectAuthorizerRefusal(response: AnyAnswer): void {
  expect([response.status, response.json]).toEqual([401, gatewayBodies.unauthorized]);
}
