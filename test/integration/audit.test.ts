import { describe, expect, it } from "vitest";
import { keys } from "../../shared/db/keys";
import { deleteItem, updateItem } from "../../shared/db/requests";
import { decodePostId } from "../../shared/domain/posts";
import { api } from "../support/api/in-process";
import { anAudit, expectNoDrift, theAuditCommand } from "../support/audit";
import { findingLine } from "../../shared/use-cases/audit";
import { given } from "../support/given";
import { when } from "../support/when";

// `npm run audit` reads the whole table and checks every invariant of docs/data-model.md; `--fix` repairs drifted
// counts with the cleanup's recount. Drift is planted by writing to the table directly, as no API call can.

/** Raises one of an account's follower-count shards by `by`, behind the API's back. */
const bumpFollowerShard = (userId: string, by: number) =>
  updateItem(keys.followerCountShard(userId, 3), {
    UpdateExpression: "ADD #count :by",
    ExpressionAttributeNames: { "#count": "count" },
    ExpressionAttributeValues: { ":by": by },
  });

/** A subscriber follows an author and comments on the author's free post: a table with every kind of count. */
async function aFollowedAuthorsCommentedPost() {
  const author = await given.anAuthor();
  const reader = await given.aReaderWith(await given.anAdmin(), [{ tier: "plus" }]);
  await given.aFollow(reader, author);
  const post = await given.aPost(author);
  const comment = await given.aComment(reader, post.postId);
  return { author, reader, post, comment };
}

describe("npm run audit", () => {
  it("reports a planted follower count drift with the account's ID and exit 1, --fix repairs it with a history point, and the next audit is clean", async () => {
    const { author } = await aFollowedAuthorsCommentedPost();
    const before = await theAuditCommand([]);
    expect(before.code, `clean before the drift: ${before.out} ${before.err}`).toBe(0);

    await bumpFollowerShard(author.userId, 2);
    const found = await theAuditCommand([]);

    expect(found.code).toBe(1);
    expect(found.out).toContain(`drift: followerCount of ${author.userId}: stored 3, expected 1`);
    expect(found.err).toMatch(/^audit: segment \d\/4: page 1, \d+ items scanned$/m);

    const fixed = await theAuditCommand(["--fix"]);
    expect(fixed.code, fixed.out + fixed.err).toBe(0);
    expect(fixed.out).toContain(`repaired: followerCount of ${author.userId}: 3 -> 1`);
    expect((await when.readsProfileOf(author)).data.followerCount).toBe(1);
    const history = (await api.GET("/users/{userId}/follower-history", { path: { userId: author.userId } })).data.items;
    expect(history).toEqual([
      { at: expect.any(String), runId: expect.any(String), before: 3, after: 1, reason: "recount" },
    ]);

    const again = await theAuditCommand([]);
    expect(again.code).toBe(0);
    expect(again.out).toContain("audit: clean");
  });

  it("refuses an unknown option or a bad segment count with exit 2", async () => {
    expect((await theAuditCommand(["--no-such-option"])).code).toBe(2);
    expect((await theAuditCommand(["--segments", "0"])).code).toBe(2);
  });
});

describe("the audit's invariants, on planted damage", () => {
  it("finds drifted following, post and comment counts, repairs them, and leaves the table clean", async () => {
    const { author, reader, post } = await aFollowedAuthorsCommentedPost();
    const ref = decodePostId(post.postId)!;
    await updateItem(keys.account(reader.userId), {
      UpdateExpression: "ADD followingCount :one",
      ExpressionAttributeValues: { ":one": 1 },
    });
    await updateItem(keys.account(author.userId), {
      UpdateExpression: "ADD postCount :minus",
      ExpressionAttributeValues: { ":minus": -1 },
    });
    await updateItem(keys.post(ref.authorId, ref.id), {
      UpdateExpression: "ADD commentCount :five",
      ExpressionAttributeValues: { ":five": 5 },
    });

    const found = (await anAudit()).findings.map(findingLine);

    expect(found).toEqual(
      expect.arrayContaining([
        `drift: followingCount of ${reader.userId}: stored 2, expected 1`,
        `drift: postCount of ${author.userId}: stored 0, expected 1`,
        `drift: commentCount of ${author.userId} (post ${post.postId}): stored 6, expected 1`,
      ]),
    );
    const { auditTable } = await import("../../shared/use-cases/audit");
    const fixed = await auditTable({ segments: 2, fix: true });
    expect(fixed.repaired.map((drift) => drift.invariant).sort()).toEqual([
      "commentCount",
      "followingCount",
      "postCount",
    ]);
    expect((await when.readsPost(post.postId)).data.commentCount).toBe(1);
    await expectNoDrift("after --fix");
  });

  it("finds a handle claim gone, a comment index entry without its comment, and an account half-deleted", async () => {
    const { author, reader, post, comment } = await aFollowedAuthorsCommentedPost();
    const leaving = await given.aReader();
    const ref = decodePostId(post.postId)!;
    await deleteItem(keys.handle(author.handle));
    await deleteItem(keys.comment(ref.id, comment.commentId));
    await updateItem(keys.account(leaving.userId), {
      UpdateExpression: "SET deletion = :mark",
      ExpressionAttributeValues: { ":mark": { reason: "owner", runId: null, at: new Date().toISOString() } },
    });

    const found = (await anAudit()).findings.map(findingLine);

    expect(found).toEqual(
      expect.arrayContaining([
        `broken: handleClaim of ${author.userId}: the account's handle "${author.handle}" is not claimed by it`,
        `broken: commentIndexEntry of ${reader.userId}: index entry of comment ${comment.commentId} names no comment`,
        `drift: commentCount of ${author.userId} (post ${post.postId}): stored 1, expected 0`,
        expect.stringMatching(
          new RegExp(`^broken: deletionFinished of ${leaving.userId}: the account's deletion began`),
        ),
      ]),
    );
  });
});
