import { describe, expect, it } from "vitest";
import { routes } from "../../infra/routes";
import { answerMetrics, metricOfAnswer } from "../../shared/http/middleware/business-metrics";
import { isConflict } from "../../shared/db/retry";
import { businessMetrics } from "../../shared/observability-names";

describe("the business metric an answer proves", () => {
  it("is the route's event on its success status only", () => {
    expect(metricOfAnswer("POST /posts", 201)).toBe("PostsPublished");
    expect(metricOfAnswer("POST /posts/{postId}/comments", 201)).toBe("CommentsWritten");
    expect(metricOfAnswer("DELETE /me", 204)).toBe("AccountsDeleted");
    expect(metricOfAnswer("POST /posts", 400)).toBeUndefined();
    expect(metricOfAnswer("DELETE /me", 404)).toBeUndefined();
    expect(metricOfAnswer("PUT /users/{userId}/follow", 200)).toBeUndefined();
  });

  it("is a 503 on any route", () => {
    expect(metricOfAnswer("GET /feed", 503)).toBe("ServiceUnavailable");
    expect(metricOfAnswer("$default", 503)).toBe("ServiceUnavailable");
  });

  it("names only routes of the route table and metrics of the list", () => {
    const routeKeys = new Set(routes.map((route) => `${route.method} ${route.path}`));
    for (const [routeKey, { metric }] of Object.entries(answerMetrics)) {
      expect(routeKeys.has(routeKey), routeKey).toBe(true);
      expect(Object.keys(businessMetrics)).toContain(metric);
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
