import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { keys } from "../../shared/db/keys";
import { AuthorAccountMissing, createPost } from "../../shared/db/post-store";
import { encodePostId, type Post, type PostRef } from "../../shared/domain/posts";
import { ulid } from "../../shared/ids";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { when } from "../support/when";

// The feed bounds each author's posts by `latestPostUlid` on the author's profile item (docs/data-model.md,
// "feed"): publishing writes it in the transaction that already puts the post, and it never goes down.

async function storedProfile(userId: string): Promise<Record<string, unknown>> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.account(userId), ConsistentRead: true }),
  );
  return result.Item ?? {};
}

function aStoredPost(ref: PostRef): Post {
  const at = new Date().toISOString();
  return {
    postId: encodePostId(ref),
    authorId: ref.authorId,
    title: "t",
    body: "b",
    teaser: "b",
    customTeaser: false,
    access: "free",
    category: "analysis",
    tags: [],
    publishedAt: at,
    updatedAt: at,
    commentCount: 0,
  };
}

describe("latestPostUlid on the author's profile", () => {
  it("is the newest post's ULID after each publish, in the publish transaction itself", async () => {
    const author = await given.anAuthor();
    expect((await storedProfile(author.userId)).latestPostUlid).toBeUndefined();
    const counter = recordDynamoDbRequests();
    try {
      const first = await given.aPost(author);
      // Still the caller's Query and one transaction: the feed costs publishing no request.
      expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
      expect((await storedProfile(author.userId)).latestPostUlid).toBe(
        Buffer.from(first.postId, "base64url").toString().slice(0, 26),
      );
    } finally {
      counter.stop();
    }
    const second = await given.aPost(author);
    expect((await storedProfile(author.userId)).latestPostUlid).toBe(
      Buffer.from(second.postId, "base64url").toString().slice(0, 26),
    );
  });

  it("never goes down: a post whose ULID is older than a concurrent newer one is published and counted, the bound kept", async () => {
    const author = await given.anAuthor();
    const older = ulid(Date.now() - 5_000);
    const newer = ulid();
    await createPost({ authorId: author.userId, id: newer }, aStoredPost({ authorId: author.userId, id: newer }));
    const counter = recordDynamoDbRequests();
    try {
      // The slower of two racing publishes commits second: its condition fails, and it is written without the bound.
      await createPost({ authorId: author.userId, id: older }, aStoredPost({ authorId: author.userId, id: older }));
      expect(counter.commands()).toEqual(["TransactWriteItems", "TransactWriteItems"]);
    } finally {
      counter.stop();
    }
    const profile = await storedProfile(author.userId);
    expect(profile.latestPostUlid).toBe(newer);
    expect(profile.postCount).toBe(2);
    const listed = await when.listsPostsOf(author);
    expect(listed.data.items.map((item: { postId: string }) => item.postId)).toEqual([
      encodePostId({ authorId: author.userId, id: newer }),
      encodePostId({ authorId: author.userId, id: older }),
    ]);
  });

  it("still refuses a post of an account that does not exist, with or without a bound to compare", async () => {
    const id = ulid();
    await expect(
      createPost({ authorId: "nobody-here", id }, aStoredPost({ authorId: "nobody-here", id })),
    ).rejects.toBeInstanceOf(AuthorAccountMissing);
  });

  it("stays after a deletion (an upper bound, not the newest live post)", async () => {
    const author = await given.anAuthor();
    await given.aPost(author);
    const last = await given.aPost(author);
    expect((await when.deletesPost(author, last.postId)).status).toBe(204);
    const profile = await storedProfile(author.userId);
    expect(profile.latestPostUlid).toBe(Buffer.from(last.postId, "base64url").toString().slice(0, 26));
    expect(profile.postCount).toBe(1);
  });
});
