// What the tests expect of answers, in the API's own terms (vitest's expect; the benchmarks use host.ts's plain
// expectStatus). `then.itAnswers(answer, 200)` hands back the body typed by the document; `then.itFails(answer, 404,
// "not_found")` accepts only a status and code the document lists for that operation.
import { expect } from "vitest";
import type { AnyAnswer, Answer, ApiError, ApiErrorOf, ErrorCodeOf, ErrorStatusOf, SuccessBodyOf } from "./api/client";
import { gatewayBodies } from "./gateway";
import { host, type TestUser } from "./host";

export const then = {
  /** The answer is a success with this status: its body, typed by the document. */
  itAnswers<O>(answer: Answer<O>, status: 200 | 201 | 202 | 204): SuccessBodyOf<O> {
    expect(answer.status, `${answer.request}: ${answer.text.slice(0, 1000)}`).toBe(status);
    return answer.data;
  },
  /**
   * The answer is the contract's error: this status and this code, both as the document lists them. Hands back the
   * error object, typed for that code (`details` of `validation_failed`, `requiredEntitlements`...).
   */
  itFails<O, S extends ErrorStatusOf<O>, C extends ErrorCodeOf<O, S> & string>(
    answer: Answer<O>,
    status: S,
    code: C,
  ): Extract<ApiErrorOf<O, S>, { code: C }> {
    expectError(answer, status, code);
    return answer.error as Extract<ApiErrorOf<O, S>, { code: C }>;
  },
  /** API Gateway's JWT authorizer refused the request: 401 `{"message":"Unauthorized"}`, before any function ran. */
  theAuthorizerRefuses(answer: AnyAnswer): void {
    expect([answer.status, answer.json], answer.request).toEqual([401, gatewayBodies.unauthorized]);
  },
  /** A user's public profile, as anyone reads it now. */
  async profileOf(user: { userId: string }) {
    return then.itAnswers(await host().api.GET("/users/{userId}", { path: { userId: user.userId } }), 200);
  },
  /** A user's follower count, as anyone reads it now. */
  async followerCountOf(user: { userId: string }): Promise<number> {
    return (await then.profileOf(user)).followerCount;
  },
  /** The posts a reader's feed holds now, newest first (the first page). */
  async feedOf(reader: TestUser) {
    return then.itAnswers(await host().api.GET("/feed", { token: reader.token }), 200).items;
  },
};

/** The answer is the contract's error with this status and this code (for answers of any operation). */
export function expectError(
  response: Pick<AnyAnswer, "status" | "json" | "request" | "text">,
  status: number,
  code: string,
  context = "",
): void {
  const received = (response.json as { error?: { code?: unknown } } | undefined)?.error?.code;
  expect({ status: response.status, code: received }, `${context} ${response.request}: ${response.text}`).toEqual({
    status,
    code,
  });
}

/** The answer (of any request, `unchecked` ones too) is 400 `validation_failed`: its problems, one per field. */
export function expectValidationFailed(answer: AnyAnswer): Extract<ApiError, { code: "validation_failed" }> {
  expectError(answer, 400, "validation_failed");
  return answer.error as Extract<ApiError, { code: "validation_failed" }>;
}

/** No DynamoDB key or internal attribute name may ever appear in a response. */
export function expectNoStorageDetails(text: string): void {
  const leak =
    /"(pk|sk|inactivityPk|inactivitySk|entityType|expiresAt|GSI\w*)"|USER#|HANDLE#|POST#|PROFILE|at \w+ \(/.exec(text);
  if (leak) throw new Error(`storage detail ${leak[0]} in response: ${text}`);
}
