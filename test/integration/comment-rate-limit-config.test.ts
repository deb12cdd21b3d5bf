import { afterAll, describe, expect, it, vi } from "vitest";
import { config } from "../../shared/config";
import { commentCountOf, postComment } from "../support/comments";
import { given } from "../support/given";

// COMMENT_RATE_PER_MINUTE configures the limit. Configuration is read once, when shared/config.ts loads, so this
// file sets the variable before any import (vi.hoisted); every test file has its own modules.
const previous = vi.hoisted(() => {
  const value = process.env.COMMENT_RATE_PER_MINUTE;
  process.env.COMMENT_RATE_PER_MINUTE = "3";
  return value;
});
afterAll(() => {
  if (previous === undefined) delete process.env.COMMENT_RATE_PER_MINUTE;
  else process.env.COMMENT_RATE_PER_MINUTE = previous;
  vi.useRealTimers();
});

describe("COMMENT_RATE_PER_MINUTE", () => {
  it("sets how many comments a user may write per minute", async () => {
    expect(config.COMMENT_RATE_PER_MINUTE).toBe(3);
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const minute = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    vi.useFakeTimers({ toFake: ["Date"], now: minute + 20_000 });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postComment(author, post.postId)).status);

    expect(statuses).toEqual([201, 201, 201, 429]);
    const refused = await postComment(author, post.postId);
    expect(refused.headers["retry-after"]).toBe("40");
    expect(refused.error.message).toContain("At most 3 comments per minute");
    expect(await commentCountOf(post.postId, author)).toBe(3);
  });
});
