import { describe, expect, it } from "vitest";
import { storedCommentIndexOf, storedCommentsOf, storedPostsOf } from "../support/post-storage";
import { allCommentsOf, commentCountOf, postComment } from "../support/comments";
import { given } from "../support/given";
import { type TestUser } from "../support/host";
import { when } from "../support/when";

// commentCount is exact at all times: it changes in the same transaction as the comment, under concurrency too.

async function subscribers(count: number): Promise<TestUser[]> {
  const admin = await given.anAdmin();
  return Promise.all(Array.from({ length: count }, () => given.aReaderWith(admin, [{ tier: "ultimate" }])));
}

describe("commentCount under concurrency", () => {
  it("counts 50 concurrent comments on one post exactly 50", async () => {
    const author = await given.anAuthor();
    const writers = await subscribers(50);
    const post = await given.aPost(author, { access: "plus" });

    const responses = await Promise.all(
      writers.map((writer, i) => postComment(writer, post.postId, { body: `take ${i}` })),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
    expect(await commentCountOf(post.postId, author)).toBe(50);
    expect(await storedCommentsOf(post.postId)).toHaveLength(50);
    const listed = await allCommentsOf(post.postId, author, 7);
    expect(listed).toHaveLength(50);
    expect(new Set(listed.map((comment) => comment.commentId)).size).toBe(50);
    expect(listed.map((comment) => comment.body).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `take ${i}`).sort(),
    );
    // Oldest first: ascending IDs.
    expect(listed.map((comment) => comment.commentId)).toEqual(listed.map((comment) => comment.commentId).sort());
    for (const writer of writers) expect(await storedCommentIndexOf(writer)).toHaveLength(1);
  });

  it("stays exact while comments are written and deleted at the same time", async () => {
    const author = await given.anAuthor();
    const writers = await subscribers(10);
    const post = await given.aPost(author);
    const existing = await Promise.all(writers.map((writer) => given.aComment(writer, post.postId)));
    expect(await commentCountOf(post.postId, author)).toBe(10);

    const responses = await Promise.all([
      ...existing.slice(0, 6).map((comment, i) => when.deletesComment(writers[i]!, post.postId, comment.commentId)),
      ...writers.map((writer) => postComment(writer, post.postId)),
    ]);

    expect(responses.map((response) => response.status)).toEqual([...Array(6).fill(204), ...Array(10).fill(201)]);
    expect(await commentCountOf(post.postId, author)).toBe(14);
    expect(await storedCommentsOf(post.postId)).toHaveLength(14);
  });

  it("deletes a comment once when its writer, the post's author and an admin delete it at the same moment", async () => {
    const author = await given.anAuthor();
    const admin = await given.anAdmin();
    const [writer] = await subscribers(1);
    const post = await given.aPost(author);
    await given.aComment(writer!, post.postId);
    const comment = await given.aComment(writer!, post.postId);

    const responses = await Promise.all(
      [writer!, author, admin, writer!, author, admin].map((user) =>
        when.deletesComment(user, post.postId, comment.commentId),
      ),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(5);
    expect(await commentCountOf(post.postId, author)).toBe(1);
    expect(await storedCommentIndexOf(writer!)).toHaveLength(1);
  });

  it("lets a post's deletion finish while its comments are being written and deleted", async () => {
    const author = await given.anAuthor();
    const writers = await subscribers(10);
    const post = await given.aPost(author);
    const comments = [];
    for (let round = 0; round < 3; round++) {
      comments.push(...(await Promise.all(writers.map((writer) => given.aComment(writer, post.postId)))));
    }

    const [postDeletion, ...others] = await Promise.all([
      when.deletesPost(author, post.postId),
      ...comments.slice(0, 10).map((comment, i) => when.deletesComment(writers[i]!, post.postId, comment.commentId)),
      ...writers.map((writer) => postComment(writer, post.postId)),
    ]);

    expect(postDeletion.status).toBe(204);
    for (const response of others.slice(0, 10)) expect([204, 404]).toContain(response.status);
    for (const response of others.slice(10)) expect([201, 404]).toContain(response.status);
    // Nothing is left: no comment, no index entry pointing to one, no post.
    expect(await storedCommentsOf(post.postId)).toEqual([]);
    for (const writer of writers) expect(await storedCommentIndexOf(writer)).toEqual([]);
    expect(await storedPostsOf(author)).toEqual([]);
    expect((await when.listsCommentsOf(post.postId)).status).toBe(404);
  });
});
