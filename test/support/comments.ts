// Comment steps through the API only (no storage imports), so the benchmarks can use them too.
import { api, type ApiResponse } from "./api";
import { expectStatus, given, type TestUser } from "./given";

export interface CommentBody {
  commentId: string;
  postId: string;
  authorId: string | null;
  body: string;
  createdAt: string;
}

let counter = 0;

/** Posts a comment through the API (no status asserted), optionally with an Idempotency-Key. */
export const postComment = (
  user: TestUser,
  postId: string,
  body: unknown = { body: `Nice call ${++counter}` },
  key?: string,
) =>
  api.post(`/posts/${postId}/comments`, {
    token: user.token,
    body,
    ...(key === undefined ? {} : { headers: { "Idempotency-Key": key } }),
  });

/** Writes a comment through the API and answers it (201 asserted). */
export async function aComment(user: TestUser, postId: string, text = `Nice call ${++counter}`): Promise<CommentBody> {
  const response = await postComment(user, postId, { body: text });
  expectStatus(response, 201);
  return response.body as CommentBody;
}

export const deleteComment = (user: TestUser, postId: string, commentId: string) =>
  api.delete(`/posts/${postId}/comments/${commentId}`, { token: user.token });

/** Every comment of a post as `user` (or anonymously) lists them, following cursors. */
export async function allCommentsOf(postId: string, user?: TestUser, limit = 100): Promise<CommentBody[]> {
  const items: CommentBody[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response: ApiResponse = await api.get(`/posts/${postId}/comments${query}`, user ? { token: user.token } : {});
    expectStatus(response, 200);
    items.push(...(response.body.items as CommentBody[]));
    cursor = response.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

/** The post's `commentCount` as its author reads it. */
export async function commentCountOf(postId: string, reader: TestUser): Promise<number> {
  const response = await api.get(`/posts/${postId}`, { token: reader.token });
  expectStatus(response, 200);
  return response.body.commentCount as number;
}

/** A reader holding the given entitlements (granted by `admin`). */
export async function aReaderWith(admin: TestUser, entitlements: unknown[]): Promise<TestUser> {
  const reader = await given.aReader();
  if (entitlements.length > 0) await given.entitlements(admin, reader, entitlements);
  return reader;
}
