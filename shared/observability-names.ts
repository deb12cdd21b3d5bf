// The names that logs, metrics and the stack's alarms share. Plain data: the CDK stack reads it too.

/** The `service` key of every log line, and the one dimension of every business metric. */
export const SERVICE_NAME = "trading-community";

/** The CloudWatch namespace of the business metrics (Embedded Metric Format lines in the functions' logs). */
export const METRICS_NAMESPACE = "TradingCommunity";

/**
 * The business metrics, each a count. Who emits each is written beside it: those the HTTP layer can see are emitted
 * by the middleware (shared/http/middleware/business-metrics.ts); the others are hooks for the use cases and stores
 * to call with `recordBusinessMetric(name, count)` (shared/metrics.ts) where the event happens. Whatever an
 * invocation counted is published as it ends: by the HTTP middleware stack for the routes, by `observedStep`
 * (shared/invocation-telemetry.ts) for the cleanup's steps, by the local host's runner for its in-process steps.
 */
export const businessMetrics = {
  /** 201 answers of POST /posts (HTTP layer). An Idempotency-Key replay answers 201 again and counts again. */
  PostsPublished: "posts published",
  /** 201 answers of POST /posts/{postId}/comments (HTTP layer); replays count again, as for posts. */
  CommentsWritten: "comments written",
  /** Follows that created a relation (use case `follow`, shared/use-cases/follows.ts; a repeat counts nothing). */
  FollowsStarted: "follows that created a relation",
  /** Unfollows that removed a relation (use case `unfollow`; the cleanup's removals are counted as deletions). */
  FollowsEnded: "unfollows that removed a relation",
  /** 204 answers of DELETE /me (HTTP layer), and accounts the cleanup deleted (its batch step, processCandidate). */
  AccountsDeleted: "accounts deleted",
  /** Accounts the cleanup deactivated (contract 1.2: out of the counts, restorable within the grace). */
  AccountsDeactivated: "accounts deactivated",
  /** Deactivated accounts whose restore ended (a sign-in's or an undo's): every relation back. */
  AccountsRestored: "accounts restored",
  /** Deactivated accounts the cleanup purged once their grace had passed. */
  AccountsPurged: "accounts purged",
  /** Notices before deletion handed to SES or the mail sink (a hook in the notice delivery). */
  NoticesSent: "notices sent",
  /** Notices recorded `undeliverable` (no verified address; an SES error leaves the notice queued): a hook in the notice delivery. */
  NoticesUndeliverable: "notices that could not be delivered",
  /** Requests tried again after a conflict with another transaction (shared/db/retry.ts, withRetry: every store's). */
  ConflictsRetried: "transactions retried after a conflict",
  /** 503 `unavailable` answers (HTTP layer: the error mapping). */
  ServiceUnavailable: "503 answers",
} as const;

export type BusinessMetric = keyof typeof businessMetrics;
