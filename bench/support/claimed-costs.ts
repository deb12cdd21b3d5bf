// What docs/data-model.md claims each route's sample request (test/support/route-samples.ts) costs in DynamoDB
// requests and billed capacity units (reads + writes, AWS's rules, the samples' posts holding 50,000-character
// bodies), with the access pattern that says so. Part 2 of the benchmark measures each beside its claim.

export interface ClaimedCost {
  pattern: string;
  requests: number;
  units: number;
}

export const claimedCosts: Record<string, ClaimedCost> = {
  "GET /health": { pattern: "none", requests: 0, units: 0 },
  "GET /openapi.json": { pattern: "none", requests: 0, units: 0 },
  "GET /docs": { pattern: "none", requests: 0, units: 0 },
  "GET /docs/reference.js": { pattern: "none", requests: 0, units: 0 },
  "PUT /me": { pattern: "A3", requests: 2, units: 3 },
  "GET /me": { pattern: "A4", requests: 1, units: 1 },
  "GET /me/export": { pattern: "X1", requests: 7, units: 33 },
  "GET /me/follower-outlook": { pattern: "O1", requests: 2, units: 2 },
  "GET /users/{userId}": { pattern: "A5", requests: 1, units: 1 },
  "GET /handles/{handle}": { pattern: "A6", requests: 2, units: 2 },
  "PUT /admin/users/{userId}/entitlements": { pattern: "A7", requests: 2, units: 2 },
  "POST /posts": { pattern: "P1", requests: 2, units: 103 },
  "GET /posts/{postId}": { pattern: "P3", requests: 2, units: 16 },
  "PATCH /posts/{postId}": { pattern: "P4", requests: 3, units: 18 },
  "DELETE /posts/{postId}": { pattern: "P5", requests: 6, units: 57 },
  "GET /users/{userId}/posts": { pattern: "P7", requests: 1, units: 1 },
  "PUT /users/{userId}/follow": { pattern: "F1a", requests: 3, units: 12 },
  "DELETE /users/{userId}/follow": { pattern: "F2", requests: 4, units: 13 },
  "GET /users/{userId}/follow": { pattern: "F3", requests: 2, units: 2 },
  "GET /users/{userId}/followers": { pattern: "F4", requests: 3, units: 3 },
  "GET /users/{userId}/following": { pattern: "F5", requests: 3, units: 3 },
  "POST /posts/{postId}/comments": { pattern: "C1", requests: 3, units: 12 },
  "GET /posts/{postId}/comments": { pattern: "C6", requests: 3, units: 3 },
  "DELETE /posts/{postId}/comments/{commentId}": { pattern: "C8", requests: 3, units: 9 },
  "DELETE /me": { pattern: "D1", requests: 14, units: 22 },
  "GET /users/{userId}/follower-history": { pattern: "K6", requests: 2, units: 2 },
  "POST /admin/cleanup-runs": { pattern: "K1", requests: 3, units: 6 },
  "GET /admin/cleanup-runs": { pattern: "K3", requests: 3, units: 3 },
  "GET /admin/cleanup-runs/{runId}": { pattern: "K2", requests: 3, units: 3 },
  "GET /admin/cleanup-runs/{runId}/count-changes": { pattern: "K19", requests: 3, units: 3 },
  "POST /admin/cleanup-runs/{runId}/restore": { pattern: "K25", requests: 6, units: 9 },
  "GET /admin/users/{userId}/notices": { pattern: "K14", requests: 2, units: 2 },
  "GET /feed": { pattern: "FD4", requests: 4, units: 4 },
  $default: { pattern: "none", requests: 0, units: 0 },
};
