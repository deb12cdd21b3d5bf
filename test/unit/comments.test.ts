import { describe, expect, it } from "vitest";
import { keys } from "../../shared/db/keys";
import { isCommentId, mayDeleteComment, toCommentView, type Comment } from "../../shared/domain/comments";
import { ulid } from "../../shared/ids";

const POST_AUTHOR = "author-1";

describe("mayDeleteComment", () => {
  const written = { authorId: "writer-1" };
  const anonymized = { authorId: null };
  it.each([
    ["its writer", { userId: "writer-1", role: "reader" }, written, true],
    ["the post's author", { userId: POST_AUTHOR, role: "author" }, written, true],
    ["the post's author, demoted to reader", { userId: POST_AUTHOR, role: "reader" }, written, true],
    ["an admin", { userId: "admin-1", role: "admin" }, written, true],
    ["another reader", { userId: "reader-2", role: "reader" }, written, false],
    ["another author", { userId: "author-2", role: "author" }, written, false],
    ["anonymous", null, written, false],
    ["the post's author, an anonymized comment", { userId: POST_AUTHOR, role: "author" }, anonymized, true],
    ["an admin, an anonymized comment", { userId: "admin-1", role: "admin" }, anonymized, true],
    ["a reader, an anonymized comment", { userId: "reader-2", role: "reader" }, anonymized, false],
  ] as const)("%s: %s", (_, caller, comment, expected) => {
    expect(mayDeleteComment(caller, comment, POST_AUTHOR)).toBe(expected);
  });
});

describe("comment IDs", () => {
  it("are ULIDs; anything else names no comment", () => {
    expect(isCommentId(ulid())).toBe(true);
    for (const id of ["", "not-a-comment", ulid().toLowerCase(), `${ulid()}x`, "01J0000000000000000000000U"]) {
      expect(isCommentId(id), id).toBe(false);
    }
  });
});

describe("toCommentView", () => {
  it("answers exactly the contract's fields, a null authorId included", () => {
    const comment: Comment = {
      commentId: "C",
      postId: "P",
      authorId: null,
      body: "b",
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    const stored: Comment = { ...comment, ...keys.comment("x", comment.commentId) };
    const view = toCommentView(stored);
    expect(view).toEqual(comment);
    expect(Object.keys(view)).toEqual(["commentId", "postId", "authorId", "body", "createdAt"]);
  });
});
