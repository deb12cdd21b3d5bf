// What docs/data-model.md claims each route's sample request (bench/support/samples.ts) costs in DynamoDB
// requests, with the access pattern that says so. Part 2 of the benchmark measures each beside its claim.

export interface ClaimedCost {
  pattern: string;
  requests: number;
}

export const claimedCosts: Record<string, ClaimedCost> = {
  "GET /health": { pattern: "none", requests: 0 },
  "GET /openapi.json": { pattern: "none", requests: 0 },
  "GET /docs": { pattern: "none", requests: 0 },
  "GET /docs/reference.js": { pattern: "none", requests: 0 },
  "PUT /me": { pattern: "A3", requests: 2 },
  "GET /me": { pattern: "A4", requests: 1 },
  "GET /users/{userId}": { pattern: "A5", requests: 1 },
  "GET /handles/{handle}": { pattern: "A6", requests: 2 },
  "PUT /admin/users/{userId}/entitlements": { pattern: "A7", requests: 2 },
  "POST /posts": { pattern: "P1", requests: 2 },
  "GET /posts/{postId}": { pattern: "P3", requests: 2 },
  "PATCH /posts/{postId}": { pattern: "P4", requests: 3 },
  "DELETE /posts/{postId}": { pattern: "P5", requests: 5 },
  "GET /users/{userId}/posts": { pattern: "P7", requests: 1 },
  "PUT /users/{userId}/follow": { pattern: "F1a", requests: 3 },
  "DELETE /users/{userId}/follow": { pattern: "F2", requests: 4 },
  "GET /users/{userId}/follow": { pattern: "F3", requests: 2 },
  "GET /users/{userId}/followers": { pattern: "F4", requests: 3 },
  "GET /users/{userId}/following": { pattern: "F5", requests: 3 },
  "POST /posts/{postId}/comments": { pattern: "C1", requests: 3 },
  "GET /posts/{postId}/comments": { pattern: "C6", requests: 3 },
  "DELETE /posts/{postId}/comments/{commentId}": { pattern: "C8", requests: 3 },
  "DELETE /me": { pattern: "D1", requests: 12 },
  "GET /users/{userId}/follower-history": { pattern: "K6", requests: 2 },
  "POST /admin/cleanup-runs": { pattern: "K1", requests: 3 },
  "GET /admin/cleanup-runs": { pattern: "K3", requests: 3 },
  "GET /admin/cleanup-runs/{runId}": { pattern: "K2", requests: 3 },
  "GET /feed": { pattern: "FD4", requests: 4 },
  $default: { pattern: "none", requests: 0 },
};
