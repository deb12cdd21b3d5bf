// Comment steps through the API only (no storage imports), so the benchmarks can use them too.
import type { components } from "./api/types";
import { expectStatus, host, type TestUser } from "./host";

export type CommentBody = components["schemas"]["Comment"];

let counter = 0;

/** Posts a comment through the API (no status asserted), optionally with an Idempotency-Key. */
export const postComment = (
  user: TestUser,
  postId: string,
  body: components["schemas"]["CommentInput"] = { body: `Nice call ${++counter}` },
  key?: string,
) =>
  host().api.POST("/posts/{postId}/comments", {
    path: { postId },
    token: user.token,
    body,
    ...(key === undefined ? {} : { headers: { "Idempotency-Key": key } }),
  });

/** Every comment of a post as `user` (or anonymously) lists them, following cursors. */
export async function allCommentsOf(postId: string, user?: TestUser, limit = 100): Promise<CommentBody[]> {
  const items: CommentBody[] = [];
  let cursor: string | undefined;
  do {
    const response = await host().api.GET("/posts/{postId}/comments", {
      path: { postId },
      query: { limit, ...(cursor ? { cursor } : {}) },
      ...(user ? { token: user.token } : {}),
    });
    expectStatus(response, 200);
    items.push(...response.data.items);
    cursor = response.data.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/** The post's `commentCount` as `reader` reads it. */
export async function commentCountOf(postId: string, reader: TestUser): Promise<number> {
  const response = await host().api.GET("/posts/{postId}", { path: { postId }, token: reader.token });
  expectStatus(response, 200);
  return response.data.commentCount;
}
