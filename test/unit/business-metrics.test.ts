import { describe, expect, it } from "vitest";
import { routes } from "../../infra/routes";
import { routeKeyOf } from "../../shared/api/route";
import { metricOfAnswer } from "../../shared/http/middleware/business-metrics";
import { isConflict } from "../../shared/db/retry";
import { businessMetrics } from "../../shared/observability-names";

const answerMetricOf = (routeKey: string) => routes.find((route) => routeKeyOf(route) === routeKey)?.answerMetric;

describe("the business metric an answer proves", () => {
  it("is the route's event (its definition's answerMetric) on its success status only", () => {
    expect(metricOfAnswer(answerMetricOf("POST /posts"), 201)).toBe("PostsPublished");
    expect(metricOfAnswer(answerMetricOf("POST /posts/{postId}/comments"), 201)).toBe("CommentsWritten");
    expect(metricOfAnswer(answerMetricOf("DELETE /me"), 204)).toBe("AccountsDeleted");
    expect(metricOfAnswer(answerMetricOf("POST /posts"), 400)).toBeUndefined();
    expect(metricOfAnswer(answerMetricOf("DELETE /me"), 404)).toBeUndefined();
    expect(metricOfAnswer(answerMetricOf("PUT /users/{userId}/follow"), 200)).toBeUndefined();
  });

  it("is a 503 on any route", () => {
    expect(metricOfAnswer(answerMetricOf("GET /feed"), 503)).toBe("ServiceUnavailable");
    expect(metricOfAnswer(undefined, 503)).toBe("ServiceUnavailable");
  });

  it("is counted on a status the route answers, for a metric of the list", () => {
    for (const route of routes.filter((candidate) => candidate.answerMetric)) {
      expect(Object.keys(route.answers), routeKeyOf(route)).toContain(String(route.answerMetric!.status));
      expect(Object.keys(businessMetrics)).toContain(route.answerMetric!.metric);
    }
  });
});

describe("a conflict, as the retry loop counts it (ConflictsRetried)", () => {
  const cancelled = (...codes: string[]) =>
    Object.assign(new Error("cancelled"), {
      name: "TransactionCanceledException",
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it("is a cancelled transaction with a TransactionConflict reason, or a plain write's TransactionConflictException", () => {
    expect(isConflict(cancelled("None", "TransactionConflict"))).toBe(true);
    expect(isConflict(Object.assign(new Error("conflict"), { name: "TransactionConflictException" }))).toBe(true);
  });

  it("is not throttling, a failed condition or any other error", () => {
    expect(isConflict(cancelled("None", "ThrottlingError"))).toBe(false);
    expect(isConflict(cancelled("ConditionalCheckFailed"))).toBe(false);
    expect(isConflict(Object.assign(new Error("slow down"), { name: "ThrottlingException" }))).toBe(false);
    expect(isConflict("TransactionConflict")).toBe(false);
  });
});
