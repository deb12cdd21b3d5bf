// Assertions on answers, for the tests (vitest's expect; the benchmarks use given.ts's plain ones).
import { expect } from "vitest";
import type { ApiResponse } from "./api";

/** The answer is the contract's error with this status and this code. */
export function expectError(
  response: Pick<ApiResponse, "status" | "body" | "text">,
  status: number,
  code: string,
  context = "",
): void {
  expect({ status: response.status, code: response.body?.error?.code }, `${context} ${response.text}`).toEqual({
    status,
    code,
  });
}
