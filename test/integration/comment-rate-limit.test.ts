import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { keys } from "../../shared/db/keys";
import { fixedWindow } from "../../shared/domain/rate-limit";
import { injectFaults, transactionConflict } from "../support/faults";
import { storedCommentIndexOf, storedCommentsOf } from "../support/post-storage";
import { commentCountOf, postComment } from "../support/comments";
import { given } from "../support/given";
import { type TestUser } from "../support/host";

// The spam guard: at most 30 comments per user per minute (the default), counted in DynamoDB in the same
// transaction as each comment. The clock (Date only, not timers) is set, so each test knows its window.

const nextMinute = () => Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;

/** Sets the clock `secondsIn` seconds into a minute that has not begun yet, so no earlier test touched it. */
function clockAt(secondsIn: number): number {
  const start = nextMinute();
  vi.useFakeTimers({ toFake: ["Date"], now: start + secondsIn * 1000 });
  return start;
}

afterEach(() => {
  vi.useRealTimers();
});

/** The stored count of `user`'s comments in the window of `at`, or null when there is no counter item. */
async function counted(
  user: TestUser,
  at: number,
): Promise<{ writes: number; expiresAt: number; entityType: string } | null> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.commentRateCounter(user.userId, fixedWindow(new Date(at), 60).id),
      ConsistentRead: true,
    }),
  );
  return (result.Item as { writes: number; expiresAt: number; entityType: string } | undefined) ?? null;
}

async function commentTimes(user: TestUser, postId: string, times: number) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await postComment(user, postId)).status);
  return statuses;
}

describe("at most 30 comments per user per minute", () => {
  it("answers the 31st comment of a minute 429 with retry-after until the minute ends, writing nothing", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const minute = clockAt(5);

    expect(await commentTimes(author, post.postId, 30)).toEqual(Array(30).fill(201));
    const refused = await postComment(author, post.postId, { body: "one too many" });

    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("55");
    expect(refused.json).toEqual({
      error: { code: "too_many_requests", message: expect.stringContaining("30 comments per minute") },
    });
    expect(await commentCountOf(post.postId, author)).toBe(30);
    expect(await storedCommentsOf(post.postId)).toHaveLength(30);
    expect(await storedCommentIndexOf(author)).toHaveLength(30);
    expect(await counted(author, minute)).toEqual({
      ...keys.commentRateCounter(author.userId, new Date(minute).toISOString()),
      entityType: "rateCounter",
      writes: 30,
      expiresAt: minute / 1000 + 60,
    });

    // Half a second before the minute ends: still refused, retry after 1 s (rounded up).
    vi.setSystemTime(minute + 59_500);
    const late = await postComment(author, post.postId);
    expect([late.status, late.headers["retry-after"]]).toEqual([429, "1"]);
    // The next minute is a new window.
    vi.setSystemTime(minute + 60_000);
    expect((await postComment(author, post.postId)).status).toBe(201);
    expect(await commentCountOf(post.postId, author)).toBe(31);
    expect((await counted(author, minute + 60_000))!.writes).toBe(1);
    expect((await counted(author, minute))!.writes).toBe(30);
  });

  it("counts per user: one user's full window leaves another's untouched", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const other = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const post = await given.aPost(author);
    const minute = clockAt(0);
    expect(await commentTimes(author, post.postId, 30)).toEqual(Array(30).fill(201));
    expect((await postComment(author, post.postId)).status).toBe(429);
    expect((await postComment(other, post.postId)).status).toBe(201);
    expect((await counted(other, minute))!.writes).toBe(1);
  });

  it("does not count refused or failed comments, so they never use up the budget", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const [free, select] = [await given.aPost(author), await given.aPost(author, { access: "select" })];
    const minute = clockAt(10);

    // 403 subscription_required, 404 unknown post, 400 bad body: 30 refusals.
    for (let i = 0; i < 10; i++) {
      expect((await postComment(writer, select.postId)).status).toBe(403);
      expect((await postComment(writer, "not-a-post")).status).toBe(404);
      expect((await postComment(writer, free.postId, { body: "" })).status).toBe(400);
    }
    // A comment whose transaction never went through (busy past the retry budget: 503).
    const faults = injectFaults((command) => (command === "TransactWriteItems" ? transactionConflict(5) : undefined));
    const busy = await postComment(writer, free.postId);
    faults.stop();
    expect(busy.status).toBe(503);
    expect(await counted(writer, minute)).toBeNull();

    expect(await commentTimes(writer, free.postId, 30)).toEqual(Array(30).fill(201));
    expect((await postComment(writer, free.postId)).status).toBe(429);
    expect((await counted(writer, minute))!.writes).toBe(30);
  });

  it("lets exactly 30 of 40 concurrent comments by one user through", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const minute = clockAt(1);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postComment(author, post.postId, { body: `burst ${i}` })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(30).fill(201), ...Array(10).fill(429)]);
    expect(await commentCountOf(post.postId, author)).toBe(30);
    expect(await storedCommentsOf(post.postId)).toHaveLength(30);
    expect((await counted(author, minute))!.writes).toBe(30);
  });

  it("never counts an idempotent replay, and replays even when the window is full", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const minute = clockAt(2);
    const first = await postComment(author, post.postId, { body: "keyed" }, "k-1");
    expect(first.status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const replay = await postComment(author, post.postId, { body: "keyed" }, "k-1");
      expect([replay.status, replay.text]).toEqual([201, first.text]);
    }
    expect((await counted(author, minute))!.writes).toBe(1);

    expect(await commentTimes(author, post.postId, 29)).toEqual(Array(29).fill(201));
    const replayWhenFull = await postComment(author, post.postId, { body: "keyed" }, "k-1");
    expect([replayWhenFull.status, replayWhenFull.text]).toEqual([201, first.text]);
    const fresh = await postComment(author, post.postId, { body: "keyed" }, "k-2");
    expect(fresh.status).toBe(429);
    expect(await commentCountOf(post.postId, author)).toBe(30);
    expect((await counted(author, minute))!.writes).toBe(30);
  });
});
